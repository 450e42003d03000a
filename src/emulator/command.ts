import { parseArgs } from 'node:util';
import { startEmulator } from './index.js';

export const EMULATOR_USAGE = `Usage: vitest-agi emulator [--port N] [--host H] [--token T] [--max-sessions N]

Starts a local AGI-compatible API on a real headless Chromium and prints its base URL.
  --port N          TCP port (default 8931; 0 picks a free one)
  --host H          interface to bind (default 127.0.0.1)
  --token T         accept only this Bearer token (default: any non-empty token)
  --max-sessions N  open sessions allowed at once (default 8)
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
        'max-sessions': { type: 'string' },
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

  const port = Number(values.port);
  let emulator;
  try {
    emulator = await startEmulator({
      port,
      host: values.host,
      ...(values.token === undefined ? {} : { token: values.token }),
      ...(values['max-sessions'] === undefined ? {} : { maxSessions: Number(values['max-sessions']) }),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${port} on ${values.host} is in use: pass --port N (0 picks a free port).`, { cause: error });
    }
    throw error;
  }
  // The base URL alone on stdout, once the port is open, so scripts can read the first line.
  process.stdout.write(`${emulator.baseUrl}\n`);
  process.stderr.write(`vitest-agi emulator ready (Chromium: ${emulator.browser.executablePath}, from ${emulator.browser.source}). Ctrl-C to stop.\n`);

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
