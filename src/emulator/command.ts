import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator } from './index.js';
import type { Emulator } from './index.js';

export const EMULATOR_USAGE = `Usage: vitest-agi emulator [--port N] [--host H] [--token-file F] [--max-sessions N] [--allowed-host NAME]

Starts a local AGI-compatible API on a real headless Chromium and prints its base URL.
  --port N            TCP port (default 8931; 0 picks a free one)
  --host H            interface to bind (default 127.0.0.1)
  --token-file F      accept only the Bearer token in file F (default: any non-empty token)
  --token T           the same, but visible to every user in \`ps\`: prefer AGI_EMULATOR_TOKEN or --token-file
  --max-sessions N    open sessions allowed at once (default 8)
  --allowed-host NAME also answer requests addressed to this host name (repeatable; localhost and IPs always)
Environment: AGI_EMULATOR_TOKEN=T is the token when neither option is given.
Browser: CHROME_PATH, else @sparticuz/chromium if installed, else /usr/bin/chromium or Google Chrome.
Stop with Ctrl-C (SIGINT) or SIGTERM: every session and Chromium are closed first.`;

/** `vitest-agi emulator …`: runs until SIGINT/SIGTERM. Resolves with the exit code. */
export async function runEmulatorCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8931' },
        host: { type: 'string', default: '127.0.0.1' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'max-sessions': { type: 'string' },
        'allowed-host': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${EMULATOR_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${EMULATOR_USAGE}\n`);
    return 0;
  }

  let token: string | undefined;
  try {
    token = readToken(values.token, values['token-file'], process.env.AGI_EMULATOR_TOKEN);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (values.token !== undefined) {
    process.stderr.write('Warning: --token is visible to every user of this machine in `ps`; use AGI_EMULATOR_TOKEN or --token-file.\n');
  }

  const port = Number(values.port);
  let emulator;
  try {
    emulator = await startEmulator({
      port,
      host: values.host,
      ...(token === undefined ? {} : { token }),
      ...(values['max-sessions'] === undefined ? {} : { maxSessions: Number(values['max-sessions']) }),
      ...(values['allowed-host'] === undefined ? {} : { allowedHosts: values['allowed-host'] }),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${port} on ${values.host} is in use: pass --port N (0 picks a free port).`, { cause: error });
    }
    throw error;
  }
  // The base URL alone on stdout, once the port is open, so scripts can read the first line.
  process.stdout.write(`${emulator.baseUrl}\n`);
  process.stderr.write(`vitest-agi emulator ready (${describeBrowser(emulator.browser)}). Ctrl-C to stop.\n`);

  return await new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stderr.write(`${signal}: closing sessions and Chromium…\n`);
      emulator.close().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`Could not close cleanly: ${(error as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `Chromium 153.0.8010.0 at /tmp/chromium, from @sparticuz/chromium 153.0.0` */
export function describeBrowser({ executablePath, source, version, packageVersion }: Emulator['browser']): string {
  const from = source === '@sparticuz/chromium' && packageVersion !== undefined ? `${source} ${packageVersion}` : source;
  return `${version ?? 'Chromium (version unknown)'} at ${executablePath}, from ${from}`;
}

/** The token from --token-file, --token or AGI_EMULATOR_TOKEN (in that order); errors say what to fix. */
function readToken(option: string | undefined, file: string | undefined, fromEnv: string | undefined): string | undefined {
  if (option !== undefined && file !== undefined) throw new Error('Pass either --token or --token-file, not both.');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`Cannot read --token-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, { cause: error });
    }
    const token = text.trim();
    if (token === '') throw new Error(`--token-file ${file} is empty: write the token on its first line.`);
    return token;
  }
  if (option !== undefined) return option;
  return fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv.trim();
}
