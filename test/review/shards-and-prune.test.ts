import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shot } from '../helpers/fixtures.js';
import { createProject, toolchain, type Project } from '../helpers/vitest-project.js';
import { validateResults } from './json-schema.js';

// A user's project run by a real Vitest in two shards, merged and summarised by `vitest-agi report` (issue #6
// part 3), then pruned (part 5); and the runs prune must refuse: unmerged or incomplete shards, filters, failures.
// The steps build on each other, as a CI pipeline's would.
const REPORTER_CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], reporters: ['default', 'vitest-agi/reporter'] } });
`;

const capture = `
import { readFileSync } from 'node:fs';
const capture = (file, url = 'http://shop.test/docs') => ({ screenshot: 'data:image/jpeg;base64,' + readFileSync('fixtures/' + file).toString('base64'), url, title: 'Docs — Shop' });
`;
const A_TEST = (only = false) => `import { expect, test } from 'vitest';${capture}
test${only ? '.only' : ''}('a1', async () => {
  await expect(capture(process.env.BREAK ? 'docs-edited.jpg' : 'docs.jpg')).toMatchScreenshot('a1');
});
test('a2', async () => {
  await expect(capture('docs.jpg')).toMatchScreenshot('a2');
});
`;
const B_TEST = `import { expect, test } from 'vitest';${capture}
test('b1', async () => {
  const page = capture('docs.jpg', 'http://shop.test/docs/carts');
  await expect(page).toBeOnPage(/carts/);
  await expect(page).toMatchScreenshot('b1');
});
`;
const C_TEST = `import { expect, test } from 'vitest';${capture}
test('c1', async () => {
  await expect(capture('docs.jpg')).toMatchScreenshot('c1');
});
`;

/** A provenance sidecar as vitest-agi writes it beside a baseline: it is what marks the baseline as ours for prune. */
function sidecarOf(image: Buffer): string {
  const sha256 = createHash('sha256').update(image).digest('hex');
  return `${JSON.stringify({ url: 'http://shop.test/docs', title: 'Docs — Shop', width: 1280, height: 720, sha256, capturedAt: '2026-11-20T10:00:00.000Z', vitestAgi: '0.1.0' }, null, 2)}\n`;
}

const used = ['a.test.ts/a1.jpg', 'a.test.ts/a1.jpg.json', 'a.test.ts/a2.jpg', 'a.test.ts/a2.jpg.json', 'b.test.ts/b1.jpg', 'b.test.ts/b1.jpg.json', 'c.test.ts/c1.jpg', 'c.test.ts/c1.jpg.json'].map((f) => `snapshots/test/${f}`);
const unused = ['snapshots/test/a.test.ts/retired.jpg', 'snapshots/test/a.test.ts/retired.jpg.json', 'snapshots/test/removed.test.ts/old.png', 'snapshots/test/removed.test.ts/old.png.json'];

let project: Project;
let summaryDir: string;

beforeAll(async () => {
  const files: Record<string, string | Buffer> = {
    'vitest.config.ts': REPORTER_CONFIG,
    'test/a.test.ts': A_TEST(),
    'test/b.test.ts': B_TEST,
    'test/c.test.ts': C_TEST,
    'fixtures/docs.jpg': shot('docs.jpg'),
    'fixtures/docs-edited.jpg': shot('docs-edited.jpg'),
    'snapshots/README.md': 'Baselines for our agent tests.\n',
  };
  for (const file of [...used, ...unused]) files[file] = file.endsWith('.json') ? sidecarOf(files[file.slice(0, -5)] as Buffer) : file.endsWith('.png') ? shot('docs.png') : shot('docs.jpg');
  files['snapshots/test/removed.test.ts/old.png.json'] = sidecarOf(shot('docs.png'));
  // Not written by vitest-agi: no sidecar, or one that no longer describes the image.
  files['snapshots/test/a.test.ts/mock-up.png'] = shot('docs.png');
  files['snapshots/test/a.test.ts/edited.jpg'] = shot('docs-edited.jpg');
  files['snapshots/test/a.test.ts/edited.jpg.json'] = sidecarOf(shot('docs.jpg'));
  project = await createProject(files);
  summaryDir = await mkdtemp(path.join(tmpdir(), 'agi-summary-'));
});

afterAll(async () => {
  await project?.remove();
  await rm(summaryDir, { recursive: true, force: true });
});

/** `vitest-agi <args>` in the project, from the toolchain's installed package. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const tools = await toolchain();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(GITHUB_|VITEST|CI$)/.test(key)));
  const child = spawn(tools.node, [path.join(tools.nodeModules, 'vitest-agi', 'dist', 'cli.js'), ...args], {
    cwd: project.dir,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
  return { code, stdout, stderr };
}

const readJson = async (file: string) => JSON.parse((await project.read(file)).toString());
/** Durations and dates vary run to run. */
const stable = (text: string) =>
  text.replace(/\d+\.\d s\b/g, 'X.X s').replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, '<date>').replace(/Vitest \d+\.\d+\.\d+/, 'Vitest X');

describe('a sharded run', () => {
  test('writes one results file per shard, and prune refuses until every shard is merged', async () => {
    for (const shard of ['1/2', '2/2']) {
      // Vitest's blob reporter too, for its own --merge-reports below.
      const result = await project.run([`--shard=${shard}`, '--reporter=default', '--reporter=vitest-agi/reporter', '--reporter=blob']);
      expect(result.code, result.output).toBe(0);
    }
    expect(project.exists('.vitest-agi/results.json')).toBe(false);
    const shards = [await readJson('.vitest-agi/results.shard-1-of-2.json'), await readJson('.vitest-agi/results.shard-2-of-2.json')];
    for (const results of shards) expect(validateResults(results)).toEqual([]);
    expect(shards.map((r) => r.shard)).toEqual([{ index: 1, count: 2 }, { index: 2, count: 2 }]);
    expect(shards.map((r) => r.filters)).toEqual([[], []]);

    const unmerged = await cli(['prune']);
    expect(unmerged.code).toBe(1);
    expect(unmerged.stderr).toBe(
      'vitest-agi prune: refusing: the last run was sharded and its results are not merged (results.shard-1-of-2.json, results.shard-2-of-2.json): run `vitest-agi report` with every shard\'s results first.\n',
    );

    expect((await cli(['report', '.vitest-agi/results.shard-1-of-2.json'])).code).toBe(0);
    const partial = await cli(['prune']);
    expect(partial.code).toBe(1);
    expect(stable(partial.stderr)).toBe(
      'vitest-agi prune: refusing, because the last run (.vitest-agi/results.json, <date>) cannot tell which baselines are unused:\n' +
        "  - shard 2 of 2 is missing from the merge: download every shard's results and run `vitest-agi report` again.\n",
    );
  });

  test('`vitest-agi report` merges the shards and prints a Markdown summary, also appended to $GITHUB_STEP_SUMMARY', async () => {
    const summaryFile = path.join(summaryDir, 'summary.md');
    await writeFile(summaryFile, '# Earlier step\n');
    const report = await cli(['report'], { GITHUB_STEP_SUMMARY: summaryFile });
    expect(report.code, report.stderr).toBe(0);
    expect(await readFile(summaryFile, 'utf8')).toBe(`# Earlier step\n${report.stdout}`);
    expect(stable(report.stdout)).toMatchInlineSnapshot(`
      "## vitest-agi: all 5 assertions passed

      4 tests (4 passed, 0 failed, 0 skipped) · 2 of 2 shards merged · Vitest X · X.X s

      | Outcome | Passed | Failed |
      | --- | ---: | ---: |
      | matched | 5 | 0 |

      Merged 2 shard files into .vitest-agi/results.json.
      "
    `);
    const merged = await readJson('.vitest-agi/results.json');
    expect(validateResults(merged)).toEqual([]);
    expect(merged).toMatchObject({ status: 'passed', shards: { count: 2, merged: [1, 2] }, filters: [], tests: { total: 4, passed: 4 } });
    expect(merged.files.map((f: { file: string; ran: boolean }) => [f.file, f.ran])).toEqual([['test/a.test.ts', true], ['test/b.test.ts', true], ['test/c.test.ts', true]]);
    expect(merged.assertions.map((a: { test: string; matcher: string }) => `${a.test} ${a.matcher}`).sort()).toEqual([
      'a1 toMatchScreenshot', 'a2 toMatchScreenshot', 'b1 toBeOnPage', 'b1 toMatchScreenshot', 'c1 toMatchScreenshot',
    ]);
  });

  test("Vitest's own `--merge-reports` of the shards' blobs gives the same results through vitest-agi/reporter", async () => {
    const merged = await readJson('.vitest-agi/results.json');
    const result = await project.run(['--merge-reports', '--reporter=vitest-agi/reporter']);
    expect(result.code, result.output).toBe(0);
    const remerged = await readJson('.vitest-agi/results.json');
    expect(validateResults(remerged)).toEqual([]);
    const bySubject = (a: { test: string; matcher: string }, b: { test: string; matcher: string }) => `${a.test} ${a.matcher}`.localeCompare(`${b.test} ${b.matcher}`);
    const withoutTimes = (r: { assertions: Array<{ durationMs?: number; test: string; matcher: string }> }) =>
      r.assertions.map(({ durationMs: _, ...rest }) => rest).sort(bySubject);
    expect(withoutTimes(remerged)).toEqual(withoutTimes(merged));
    expect(remerged).toMatchObject({ filters: [], files: merged.files, tests: merged.tests, status: 'passed' });
    expect(remerged.shard ?? remerged.shards).toBeUndefined();
  });

  test('prune lists the baselines no assertion used, and --delete removes them with their sidecars', async () => {
    const listed = await cli(['prune']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(stable(listed.stdout)).toBe(
      'Unused: 2 of 6 baselines (and provenance sidecars) that no assertion used in the last complete run (.vitest-agi/results.json, <date>):\n\n' +
        unused.map((file) => `  ${file}\n`).join('') +
        '\nKept 2 unused images that vitest-agi did not write (no provenance sidecar describes them); delete them yourself if they are not needed:\n' +
        '  snapshots/test/a.test.ts/edited.jpg\n' +
        '  snapshots/test/a.test.ts/mock-up.png\n' +
        '\nRun `vitest-agi prune --delete` to delete them.\n',
    );
    expect([...used, ...unused].filter((file) => !project.exists(file))).toEqual([]);

    const deleted = await cli(['prune', '--delete']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(/^Deleted: 2 of 6 baselines/);
    expect(unused.filter((file) => project.exists(file))).toEqual([]);
    expect(project.exists('snapshots/test/removed.test.ts')).toBe(false);
    const kept = [...used, 'snapshots/README.md', 'snapshots/test/a.test.ts/mock-up.png', 'snapshots/test/a.test.ts/edited.jpg', 'snapshots/test/a.test.ts/edited.jpg.json'];
    expect(kept.filter((file) => !project.exists(file))).toEqual([]);
  });
});

describe('prune refuses, with the reason, after', () => {
  beforeAll(async () => {
    // Something prune would otherwise delete.
    await project.write(unused[0]!, shot('docs.jpg'));
    await project.write(unused[1]!, sidecarOf(shot('docs.jpg')));
  });

  test('a filtered run: a name pattern and a file filter', async () => {
    const result = await project.run(['test/a.test.ts', '-t', 'a1']);
    expect(result.code, result.output).toBe(0);
    expect(project.exists('.vitest-agi/results.shard-1-of-2.json')).toBe(false); // an unsharded run drops stale shard files
    const prune = await cli(['prune', '--delete']);
    expect(prune.code).toBe(1);
    expect(stable(prune.stderr)).toBe(
      'vitest-agi prune: refusing, because the last run (.vitest-agi/results.json, <date>) cannot tell which baselines are unused:\n' +
        '  - the run was filtered (-t /a1/): run every test, without filters.\n' +
        '  - the run was filtered (ran 1 of 3 test files): run every test, without filters.\n',
    );
    expect(project.exists(unused[0]!)).toBe(true);
  });

  test('a run with failures', async () => {
    const result = await project.run([], { BREAK: '1' });
    expect(result.code).toBe(1);
    const prune = await cli(['prune', '--delete']);
    expect(prune.code).toBe(1);
    expect(prune.stderr).toContain(
      '  - the run had failures (1 failed test): a failed test may stop before its later assertions, so their baselines look unused. Fix the failures and run again.\n',
    );
    expect(project.exists(unused[0]!)).toBe(true);
  });
});

test('after a run with .only (or .skip), prune keeps the baselines of the file whose tests did not all run', async () => {
  await project.write('test/a.test.ts', A_TEST(true));
  const result = await project.run();
  expect(result.code, result.output).toBe(0);
  const prune = await cli(['prune', '--delete']);
  expect(prune.code, prune.stderr).toBe(0);
  expect(stable(prune.stdout)).toBe(
    'Nothing to prune in snapshots after the last complete run (.vitest-agi/results.json, <date>).\n\n' +
      'Kept 2 baselines under test/a.test.ts: 1 of its tests was skipped (.skip, .only, a line filter or ctx.skip()), so their baselines may still be in use.\n\n' +
      'Kept 2 unused images that vitest-agi did not write (no provenance sidecar describes them); delete them yourself if they are not needed:\n' +
      '  snapshots/test/a.test.ts/edited.jpg\n' +
      '  snapshots/test/a.test.ts/mock-up.png\n',
  );
  expect(project.exists(unused[0]!) && project.exists('snapshots/test/a.test.ts/a2.jpg')).toBe(true);
});

describe('prune in a monorepo whose packages share a baseline folder', () => {
  // mono/pkg-a keeps some baselines in its own snapshots/, others in ../baselines, shared with mono/pkg-b.
  let mono: Project;
  const shared = (file: string) => `baselines/test/${file}`;
  const setup = (dir?: string) => `import { configure } from 'vitest-agi';\n${dir ? `configure({ snapshotDir: '${dir}' });\n` : ''}`;
  const SHARED_TEST = `import { expect, test } from 'vitest';${capture}
test('shared', async () => { await expect(capture('docs.jpg')).toMatchScreenshot('shared'); });
`;

  beforeAll(async () => {
    const files: Record<string, string | Buffer> = {
      'pkg-a/package.json': '{ "type": "module", "private": true }\n',
      'pkg-a/vitest.config.ts': REPORTER_CONFIG,
      'pkg-a/test/own.test.ts': `import { expect, test } from 'vitest';${capture}\ntest('own', async () => { await expect(capture('docs.jpg')).toMatchScreenshot('own'); });\n`,
      'pkg-a/test/shared.test.ts': setup('../baselines') + SHARED_TEST,
      'fixtures/docs.jpg': shot('docs.jpg'), // read relative to the working folder, the monorepo's root
      'pkg-a/snapshots/test/own.test.ts/own.jpg': shot('docs.jpg'),
      'pkg-a/snapshots/test/own.test.ts/own.jpg.json': sidecarOf(shot('docs.jpg')),
      'pkg-a/snapshots/test/own.test.ts/retired.jpg': shot('docs.jpg'),
      'pkg-a/snapshots/test/own.test.ts/retired.jpg.json': sidecarOf(shot('docs.jpg')),
      [shared('shared.test.ts/shared.jpg')]: shot('docs.jpg'),
      [shared('shared.test.ts/shared.jpg.json')]: sidecarOf(shot('docs.jpg')),
      // pkg-b's baselines: pkg-a's run knows nothing of them.
      [shared('b.test.ts/b1.jpg')]: shot('form.jpg'),
      [shared('b.test.ts/b1.jpg.json')]: sidecarOf(shot('form.jpg')),
    };
    mono = await createProject(files);
    const result = await mono.run(['--root', 'pkg-a']);
    expect(result.code, result.output).toBe(0);
  });
  afterAll(() => mono?.remove());

  test("refuses the folder outside the package's Vitest root, deletes nothing there, and still prunes its own folder", async () => {
    const tools = await toolchain();
    const child = spawn(tools.node, [path.join(tools.nodeModules, 'vitest-agi', 'dist', 'cli.js'), 'prune', '--delete', '--root', 'pkg-a'], { cwd: mono.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(
      `vitest-agi prune: refusing to prune ../baselines: it is outside the Vitest root (${mono.path('pkg-a')}), where other projects may keep baselines this run knows nothing of. Prune it from the project whose root contains it.\n`,
    );
    expect(stable(stdout)).toBe(
      'Deleted: 1 of 2 baselines (and provenance sidecars) that no assertion used in the last complete run (.vitest-agi/results.json, <date>):\n\n' +
        '  snapshots/test/own.test.ts/retired.jpg\n  snapshots/test/own.test.ts/retired.jpg.json\n',
    );
    expect(['pkg-a/snapshots/test/own.test.ts/retired.jpg', 'pkg-a/snapshots/test/own.test.ts/retired.jpg.json'].filter((f) => mono.exists(f))).toEqual([]);
    const untouched = ['pkg-a/snapshots/test/own.test.ts/own.jpg', shared('shared.test.ts/shared.jpg'), shared('b.test.ts/b1.jpg'), shared('b.test.ts/b1.jpg.json')];
    expect(untouched.filter((f) => !mono.exists(f))).toEqual([]);
  });
});
