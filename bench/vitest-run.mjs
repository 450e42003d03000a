// `vitest run` of a small project as a user runs it, timed end to end, once per decoder: the three pages at one size,
// each unchanged (bytes equal), with a blinking caret (decoded and compared, passes) and changed (fails, diff written),
// against the bench's loopback API. Wall clock of the whole process and Vitest's own "tests" time, medians.
import { spawn } from 'node:child_process';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sessionId } from './cases.mjs';
import { median } from './measure.mjs';
import { PAGES } from './pages.mjs';
import { API_KEY } from './server.mjs';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const RUNS = 3;
const TEST_FILE = 'suite.test.mjs';
const KINDS = [
  { kind: 'unchanged', served: 'again', baseline: 'base', fails: false },
  { kind: 'caret', served: 'caretB', baseline: 'caretA', fails: false },
  { kind: 'changed', served: 'changed', baseline: 'base', fails: true },
];

export async function timeVitestRuns({ root, baseUrl, shots, size }) {
  const dir = path.join(root, 'vitest-project');
  await makeProject(dir, shots, size);
  const samples = { wasm: [], js: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const decoder of i % 2 ? ['js', 'wasm'] : ['wasm', 'js']) samples[decoder].push(await runVitest(dir, { BENCH_DECODER: decoder, BENCH_BASE_URL: baseUrl, BENCH_API_KEY: API_KEY, BENCH_SIZE: size }));
  }
  const assertions = PAGES.length * KINDS.length;
  return Object.fromEntries(
    Object.entries(samples).map(([decoder, runs]) => [decoder, { size, assertions, runs: runs.length, wallMs: median(runs.map((r) => r.wallMs)), testsMs: median(runs.map((r) => r.testsMs)) }]),
  );
}

async function makeProject(dir, shots, size) {
  const modules = path.join(dir, 'node_modules');
  await mkdir(modules, { recursive: true });
  for (const entry of await readdir(path.join(repo, 'node_modules'))) {
    if (!entry.startsWith('.')) await symlink(path.join(repo, 'node_modules', entry), path.join(modules, entry));
  }
  await symlink(repo, path.join(modules, 'vitest-agi'));
  const tests = PAGES.flatMap((page) =>
    KINDS.map(({ kind, served, fails }) => {
      const assertion = `expect(client.session(${JSON.stringify(sessionId(page, size, served))})).toMatchScreenshot(${JSON.stringify(`${kind}-${page}`)})`;
      return `test(${JSON.stringify(`${kind} ${page}`)}, async () => { ${fails ? `await expect(${assertion}).rejects.toThrow('pixels differ');` : `await ${assertion};`} });`;
    }),
  );
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  await writeFile(path.join(dir, 'vitest.config.mjs'), `export default { test: { include: ['${TEST_FILE}'], setupFiles: ['vitest-agi/setup', './decoder.setup.mjs'], testTimeout: 120_000 } };\n`);
  await writeFile(path.join(dir, 'decoder.setup.mjs'), `import { configure } from 'vitest-agi';\nconfigure({ decoder: process.env.BENCH_DECODER });\n`);
  await writeFile(
    path.join(dir, TEST_FILE),
    `import { expect, test } from 'vitest';\nimport { AgiClient } from 'vitest-agi';\nconst client = new AgiClient({ apiKey: process.env.BENCH_API_KEY, baseUrl: process.env.BENCH_BASE_URL });\n${tests.join('\n')}\n`,
  );
  const snapshots = path.join(dir, 'snapshots', TEST_FILE);
  await mkdir(snapshots, { recursive: true });
  for (const page of PAGES) for (const { kind, baseline } of KINDS) await writeFile(path.join(snapshots, `${kind}-${page}.jpg`), shots[size][page][baseline]);
}

function runVitest(dir, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(dir, 'node_modules/vitest/vitest.mjs'), 'run'], { cwd: dir, env: { ...process.env, ...env, NO_COLOR: '1', CI: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const passed = /Tests\s+(\d+) passed/.exec(out)?.[1];
      if (code !== 0 || Number(passed) !== PAGES.length * KINDS.length) return reject(new Error(`bench: \`vitest run\` with decoder ${env.BENCH_DECODER} exited with ${code}:\n${out.slice(-3000)}`));
      const tests = /tests ([\d.]+)(m?s)/.exec(out);
      resolve({ wallMs, testsMs: tests ? Number(tests[1]) * (tests[2] === 's' ? 1000 : 1) : NaN });
    });
  });
}
