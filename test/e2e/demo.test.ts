import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';

// `npm run demo` as a newcomer runs it from the repo root, on a copy of examples/ (so the repo's own
// examples/snapshots/ stays untouched): a first run, then a change to the shop, which must fail with paths that
// exist from where the demo was run, and a hint that names the demo's own `-u`.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(path.join(tmpdir(), 'agi-demo-'));
  await cp(path.join(repoRoot, 'examples'), path.join(copy, 'examples'), {
    recursive: true,
    filter: (source) => !/[\\/](snapshots|\.vitest-agi)$/.test(source),
  });
  // The package resolves `vitest-agi` to itself, as in the repo.
  await cp(path.join(repoRoot, 'package.json'), path.join(copy, 'package.json'));
  for (const entry of ['node_modules', 'dist', 'src', 'tsconfig.json', 'tsconfig.build.json']) {
    await symlink(path.join(repoRoot, entry), path.join(copy, entry));
  }
});

afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

function demo(args: string[] = []): Promise<{ code: number; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|TEST$|NODE_ENV$|CI$|FORCE_COLOR$|GITHUB_)/.test(key)));
  return new Promise((resolve) => {
    execFile(process.execPath, ['examples/run-demo.mjs', ...args], { cwd: copy, env: { ...env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error.code as number | undefined) ?? 1) : 0, output: stripVTControlCharacters(stdout + stderr) });
    });
  });
}

// The demo runs on this repo's own Vitest and dist/, whatever toolchain .ci/packed.sh picks: once is enough.
test.skipIf(process.env.VITEST_AGI_TOOLCHAIN)('the demo names its baselines and failures by paths from where it was run, and its own -u', async () => {
  const first = await demo();
  expect(first.code, first.output).toBe(0);
  expect(first.output).toContain('vitest-agi: 3 baselines written\n  written  examples/snapshots/checkout.test.ts/');

  const site = path.join(copy, 'examples', 'shop-site.ts');
  await writeFile(site, (await readFile(site, 'utf8')).replace('Two things, both good.', 'Two things, both great.'));
  const changed = await demo(['-t', 'shop front']);
  expect(changed.code, changed.output).toBe(1);
  const baseline = /Baseline: (\S+)/.exec(changed.output)?.[1];
  const diff = /Diff: +(\S+)/.exec(changed.output)?.[1];
  expect([baseline, diff]).toEqual(['examples/snapshots/checkout.test.ts/shop-front.jpg', 'examples/.vitest-agi/checkout.test.ts/shop-front-diff.png']);
  await expect(readFile(path.join(copy, baseline!))).resolves.toBeInstanceOf(Buffer);
  await expect(readFile(path.join(copy, diff!))).resolves.toBeInstanceOf(Buffer);
  expect(changed.output).toContain('If the change is intended, run `npm run demo -- -u` to update the baseline.');
});
