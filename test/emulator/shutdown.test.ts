import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AgiClient } from '../../src/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { aliveAmong, chromiumProcessesOf } from './processes.js';

// Nothing outlives the emulator: close(), SIGINT and SIGTERM leave no Chromium process and no profile dir.

const root = resolve(import.meta.dirname, '../..');
const build = join(root, '.tmp', `emulator-cli-${process.pid}`);

beforeAll(() => {
  // The CLI runs as a real child process, so it needs JavaScript: compile just the bin and the emulator.
  const tsc = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      ...['--outDir', build, '--rootDir', join(root, 'src'), '--module', 'NodeNext', '--moduleResolution', 'NodeNext'],
      ...['--target', 'ES2022', '--types', 'node', '--skipLibCheck', '--strict'],
      join(root, 'src/cli.ts'),
      join(root, 'src/emulator/index.ts'),
    ],
    { encoding: 'utf8' },
  );
  if (!existsSync(join(build, 'cli.js'))) throw new Error(`tsc did not build the CLI:\n${tsc.stdout}${tsc.stderr}`);
});
afterAll(() => {
  rmSync(build, { recursive: true, force: true });
});

/** Polls until none of `pids` is alive, for at most `timeout` ms; returns the survivors. */
async function survivors(pids: number[], timeout = 5_000): Promise<number[]> {
  const deadline = Date.now() + timeout;
  while (aliveAmong(pids).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return aliveAmong(pids);
}

/** The profile dir Playwright gave the browser (from its command line). */
function profileDirOf(commands: string[]): string | undefined {
  return commands.map((c) => /--user-data-dir=(\S+)/.exec(c)?.[1]).find(Boolean);
}

/** Starts a session and a page load, so the browser, a renderer and the network service all exist. */
async function useBrowser(baseUrl: string): Promise<void> {
  const agi = new AgiClient({ apiKey: 'test-key', baseUrl, retries: 0 });
  const session = await agi.createSession();
  await session.sendMessage('go to about:blank\ndone "ok"');
  await session.waitUntilFinished({ timeout: 20_000 });
}

function spawnNode(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; firstLine: Promise<string>; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing:\n${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, firstLine, stderr: () => stderr, exited };
}

test('close() ends the browser process group and deletes its profile dir', async () => {
  const emulator = await startEmulator();
  await useBrowser(emulator.baseUrl);
  const processes = chromiumProcessesOf(process.pid);
  expect(processes.length).toBeGreaterThan(1); // browser + renderer/utility processes
  const profile = profileDirOf(processes.map((p) => p.command));
  expect(profile && existsSync(profile)).toBe(true);

  await emulator.close();
  expect(await survivors(processes.map((p) => p.pid))).toEqual([]);
  expect(existsSync(profile!)).toBe(false);
  await emulator.close(); // twice is fine
});

describe('the vitest-agi emulator command', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`prints its base URL once ready and exits 0 on ${signal}, leaving no Chromium`, async () => {
      const cli = spawnNode([join(build, 'cli.js'), 'emulator', '--port', '0']);
      try {
        const baseUrl = await cli.firstLine;
        expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
        await useBrowser(baseUrl);
        const processes = chromiumProcessesOf(cli.child.pid!);
        expect(processes.length).toBeGreaterThan(1);

        cli.child.kill(signal);
        expect(await cli.exited).toBe(0);
        expect(cli.stderr()).toContain(`${signal}: closing sessions and Chromium`);
        expect(await survivors(processes.map((p) => p.pid))).toEqual([]);
        const profile = profileDirOf(processes.map((p) => p.command));
        expect(existsSync(profile!)).toBe(false);
      } finally {
        cli.child.kill('SIGKILL');
      }
    });
  }

  test('explains its options with --help and refuses unknown ones', () => {
    const help = spawnSync(process.execPath, [join(build, 'cli.js'), 'emulator', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: vitest-agi emulator [--port N] [--host H]');
    const wrong = spawnSync(process.execPath, [join(build, 'cli.js'), 'emulator', '--prot', '1'], { encoding: 'utf8' });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("Unknown option '--prot'");
    const unknown = spawnSync(process.execPath, [join(build, 'cli.js'), 'emulatr'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "emulatr"');
  });
});

describe('the vitest-agi emulator command keeps its token out of `ps`', () => {
  const token = 'cli-secret-token-not-in-ps';

  /** Starts the CLI, checks its command line and that only `token` is accepted, then stops it. */
  async function expectTokenWorks(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    const cli = spawnNode([join(build, 'cli.js'), 'emulator', '--port', '0', ...args], env);
    try {
      const baseUrl = await cli.firstLine;
      expect(readFileSync(`/proc/${cli.child.pid}/cmdline`, 'utf8')).not.toContain(token);
      expect(readFileSync(`/proc/${cli.child.pid}/cmdline`, 'utf8')).toContain('emulator');
      const wrong = await fetch(`${baseUrl}/sessions`, { headers: { authorization: 'Bearer test-key' } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${baseUrl}/sessions`, { headers: { authorization: `Bearer ${token}` } });
      expect(right.status).toBe(200);
      return cli.stderr();
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  }

  test('AGI_EMULATOR_TOKEN sets the token without putting it on the command line', async () => {
    const stderr = await expectTokenWorks([], { ...process.env, AGI_EMULATOR_TOKEN: token });
    expect(stderr).not.toContain(token);
    expect(stderr).not.toContain('--token is visible');
  });

  test('--token-file reads the token from a file', async () => {
    const file = join(build, 'token.txt');
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    await expectTokenWorks(['--token-file', file], process.env);
    const empty = join(build, 'empty-token.txt');
    writeFileSync(empty, '\n');
    const refused = spawnSync(process.execPath, [join(build, 'cli.js'), 'emulator', '--token-file', empty], { encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr.replace(empty, 'FILE')).toMatchInlineSnapshot(`
      "--token-file FILE is empty: write the token on its first line.
      "
    `);
  });

  test('--token still works and warns that ps shows it', async () => {
    const cli = spawnNode([join(build, 'cli.js'), 'emulator', '--port', '0', '--token', 'visible'], process.env);
    try {
      await cli.firstLine;
      expect(cli.stderr()).toMatch(/Warning: --token is visible to every user of this machine in `ps`; use AGI_EMULATOR_TOKEN or --token-file\./);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  test('bound to a non-loopback address without a token, it warns loudly; its startup line names the Chromium version', async () => {
    const cli = spawnNode([join(build, 'cli.js'), 'emulator', '--port', '0', '--host', '0.0.0.0'], process.env);
    try {
      await cli.firstLine;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(cli.stderr()).toContain('[AGI_EMULATOR_EXPOSED] Warning: The vitest-agi emulator listens on 0.0.0.0:');
      expect(cli.stderr()).toContain('without a token: anyone who can reach this address can drive its Chromium');
      expect(cli.stderr()).toMatch(/vitest-agi emulator ready \(Chromium \d+\.\d+\.\d+\.\d+ at \S+, from \S+/);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});

test('a process that started the emulator programmatically and is killed by SIGTERM takes Chromium with it', async () => {
  const script = `
    const { startEmulator } = await import(${JSON.stringify(join(build, 'emulator/index.js'))});
    const emulator = await startEmulator();
    console.log(emulator.baseUrl);`;
  const child = spawnNode(['--input-type=module', '-e', script]);
  try {
    const baseUrl = await child.firstLine;
    await useBrowser(baseUrl);
    const processes = chromiumProcessesOf(child.child.pid!);
    expect(processes.length).toBeGreaterThan(1);
    child.child.kill('SIGTERM');
    await child.exited;
    // No handler ran: Chromium notices its CDP pipe closing and exits by itself.
    expect(await survivors(processes.map((p) => p.pid))).toEqual([]);
    // Only the profile dir stays behind (nothing in that process could delete it): remove it here.
    const profile = profileDirOf(processes.map((p) => p.command));
    if (profile?.includes('playwright_chromiumdev_profile-')) rmSync(profile, { recursive: true, force: true });
  } finally {
    child.child.kill('SIGKILL');
  }
});
