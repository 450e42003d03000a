import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Where the child Vitest and `vitest-agi` come from. By default this repo's own node_modules (Vitest 4) with
 * `vitest-agi` linked to the built package; `.ci/run` points VITEST_AGI_TOOLCHAIN at a project that installed the
 * packed tarball with Vitest 5, and VITEST_AGI_NODE at Node 22, to run the same tests again on Vitest 5.
 */
export interface Toolchain {
  nodeModules: string;
  node: string;
}

let defaultToolchain: Promise<Toolchain> | undefined;

export function toolchain(): Promise<Toolchain> {
  const dir = process.env.VITEST_AGI_TOOLCHAIN;
  if (dir) return Promise.resolve({ nodeModules: path.resolve(dir, 'node_modules'), node: process.env.VITEST_AGI_NODE ?? process.execPath });
  defaultToolchain ??= linkRepoToolchain();
  return defaultToolchain;
}

/**
 * One folder of links per checkout, shared by every test file and run: made in a temp folder and renamed into
 * place, so parallel workers never see half of it and none is left behind per run.
 */
async function linkRepoToolchain(): Promise<Toolchain> {
  if (!existsSync(path.join(repoRoot, 'dist', 'setup.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
  const own = path.join(repoRoot, 'node_modules');
  const entries = (await readdir(own)).filter((entry) => !entry.startsWith('.')).sort();
  const key = createHash('sha1').update(repoRoot).update(entries.join('\n')).digest('hex').slice(0, 12);
  const home = path.join(tmpdir(), `agi-toolchain-${key}`);
  const nodeModules = path.join(home, 'node_modules');
  if (!existsSync(nodeModules)) {
    const staging = await mkdtemp(`${home}-staging-`);
    await mkdir(path.join(staging, 'node_modules'));
    for (const entry of entries) await symlink(path.join(own, entry), path.join(staging, 'node_modules', entry));
    await symlink(repoRoot, path.join(staging, 'node_modules', 'vitest-agi'));
    await rename(staging, home).catch(async () => rm(staging, { recursive: true, force: true })); // another worker won
  }
  return { nodeModules, node: process.execPath };
}

export interface RunResult {
  code: number | null;
  /** stdout and stderr together, without colours. */
  output: string;
  /** From `Project.run`: stdout and stderr exactly as written (NO_COLOR is set, so an escape sequence in it is not Vitest's). */
  raw?: string;
}

export interface Project {
  dir: string;
  path(relative: string): string;
  read(relative: string): Promise<Buffer>;
  exists(relative: string): boolean;
  write(relative: string, content: string | Buffer): Promise<void>;
  /** `vitest run <args>` in the project, as a user's terminal or CI would run it. */
  run(args?: string[], env?: Record<string, string | undefined>): Promise<RunResult>;
  remove(): Promise<void>;
}

const DEFAULT_CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], testTimeout: 30_000 } });
`;

/** A throwaway user project: package.json, vitest.config.ts and the given files, with the toolchain's node_modules. */
export async function createProject(files: Record<string, string | Buffer>): Promise<Project> {
  const tools = await toolchain();
  const dir = await mkdtemp(path.join(tmpdir(), 'agi-project-'));
  await symlink(tools.nodeModules, path.join(dir, 'node_modules'));
  const all = { 'package.json': '{ "type": "module", "private": true }\n', 'vitest.config.ts': DEFAULT_CONFIG, ...files };
  const project: Project = {
    dir,
    path: (relative) => path.join(dir, relative),
    read: (relative) => readFile(path.join(dir, relative)),
    exists: (relative) => existsSync(path.join(dir, relative)),
    async write(relative, content) {
      await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
      await writeFile(path.join(dir, relative), content);
    },
    run: (args = [], env = {}) => runVitest(tools, dir, args, env),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  for (const [relative, content] of Object.entries(all)) await project.write(relative, content);
  return project;
}

function runVitest(tools: Toolchain, cwd: string, args: string[], extraEnv: Record<string, string | undefined>): Promise<RunResult> {
  // The child must not inherit this Vitest's worker variables, our CI flag, or colours.
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VITEST|TEST$|NODE_ENV$|CI$|FORCE_COLOR$|NODE_OPTIONS$|GITHUB_)/.test(key)) env[key] = value;
  }
  Object.assign(env, { NO_COLOR: '1' }, extraEnv);
  const vitest = path.join(tools.nodeModules, 'vitest', 'vitest.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(tools.node, [vitest, 'run', ...args], { cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: stripVTControlCharacters(output), raw: output }));
  });
}
