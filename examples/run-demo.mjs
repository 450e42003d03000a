#!/usr/bin/env node
// `npm run demo`: builds vitest-agi if dist/ is stale, runs the example suite (examples/checkout.test.ts)
// against Tiny Shop and a local AGI emulator on a real headless Chromium; vitest-agi's reporter says which
// screenshot baselines it wrote. The first run writes them; the next runs compare against them.
// Extra arguments go to Vitest: `npm run demo -- -u` rewrites failing baselines, `-t shop` picks a test.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(root, 'examples');
const snapshots = join(examples, 'snapshots');
const artefacts = join(examples, '.vitest-agi');
const show = (path) => relative(process.cwd(), path) || '.';

if (isBuildStale()) {
  console.log('vitest-agi demo: building dist/ (it is missing or older than src/)…');
  const build = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
    cwd: root,
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const before = listBaselines();
const args = process.argv.slice(2);
const env = { ...process.env };
// The demo's baselines are made by its first run, so that run must write them even where CI=true would make
// Vitest refuse ("none"): use Vitest's "new" mode (write missing, compare existing) unless told otherwise.
if (!args.some((arg) => arg === '-u' || arg.startsWith('--update'))) env.UPDATE_SNAPSHOT ??= 'new';

// Vitest's root is examples/ (as a user's project root would be), so the paths in its messages are relative to
// examples/, and the update hint names plain Vitest. The demo is run from the repo root: say both as typed here.
const child = spawn(
  process.execPath,
  [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(examples, 'vitest.config.ts'), ...args],
  { stdio: ['inherit', 'pipe', 'pipe'], cwd: root, env: { ...env, ...(process.stdout.isTTY && !env.NO_COLOR ? { FORCE_COLOR: '1' } : {}) } },
);
for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${asTypedHere(line)}\n`));
}
const [status] = await once(child, 'close');

const after = listBaselines();
const written = [...after.keys()].filter((file) => !before.has(file));
const compared = [...after.keys()].filter((file) => before.get(file) === after.get(file));

if (existsSync(artefacts) && readdirSync(artefacts, { recursive: true }).some((f) => String(f).endsWith('-diff.png'))) {
  console.log(`Actual and diff images of failed comparisons: ${show(artefacts)}/`);
}
if (status === 0) {
  console.log(
    written.length > 0
      ? `Baselines are in ${show(snapshots)}/. Run \`npm run demo\` again: this time every screenshot is compared against them.`
      : `All ${compared.length} screenshots matched their baselines in ${show(snapshots)}/. Change examples/shop-site.ts to see a failure with a diff; delete ${show(snapshots)}/ to start over.`,
  );
}
process.exitCode = status ?? 1;

/** Vitest's output with examples/-relative paths made relative to where the demo was run, and the demo's -u. */
function asTypedHere(line) {
  const prefix = `${show(examples)}/`;
  return line
    .replace(/(^|[\s`'"(])((?:snapshots|\.vitest-agi)\/)/gm, `$1${prefix}$2`)
    .replaceAll('`vitest -u`', '`npm run demo -- -u`');
}

/** Baseline image (relative to snapshots/) → "size:mtime", to tell written from compared. Sidecar files are skipped. */
function listBaselines() {
  const files = new Map();
  if (!existsSync(snapshots)) return files;
  for (const entry of readdirSync(snapshots, { recursive: true })) {
    if (!/\.(jpe?g|png)$/i.test(String(entry))) continue;
    const stat = statSync(join(snapshots, String(entry)));
    if (stat.isFile()) files.set(String(entry), `${stat.size}:${stat.mtimeMs}`);
  }
  return files;
}

/** dist/ is stale when an entry point is missing or a source file is newer than the oldest entry point. */
function isBuildStale() {
  const entries = ['index.js', 'setup.js', 'emulator/index.js'].map((file) => join(root, 'dist', file));
  if (!entries.every((file) => existsSync(file))) return true;
  const built = Math.min(...entries.map((file) => statSync(file).mtimeMs));
  const sources = readdirSync(join(root, 'src'), { recursive: true }).filter((file) => String(file).endsWith('.ts'));
  return sources.some((file) => statSync(join(root, 'src', String(file))).mtimeMs > built);
}
