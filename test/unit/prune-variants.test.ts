import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { planPrune } from '../../src/commands/prune.js';
import { writeProvenance } from '../../src/baselines/provenance.js';
import type { AssertionResult, RunResults } from '../../src/results/results.js';
import { shot } from '../helpers/fixtures.js';

let root: string;
afterEach(() => rm(root, { recursive: true, force: true }));

/** A baseline vitest-agi wrote: the image and the sidecar that describes it. */
async function writeBaseline(relative: string, image: string): Promise<void> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  const bytes = shot(image);
  await writeFile(file, bytes);
  await writeProvenance(file, { bytes, url: 'http://shop.test/', title: 'Shop', width: 1280, height: 720 }, {});
}

function resultsOf(assertions: Array<Partial<AssertionResult>>): RunResults {
  return {
    files: [{ file: 'live.test.ts', ran: true, state: 'passed', skippedTests: 0 }],
    assertions: assertions.map((a) => ({ file: 'live.test.ts', test: 't', matcher: 'toMatchScreenshot', not: false, outcome: 'matched', pass: true, captures: 1, durationMs: 1, timeout: 0, snapshotDir: 'snapshots', ...a })),
  } as unknown as RunResults;
}

test('prune keeps every accepted variant of a name, not only the one that matched, and lists variants beyond `variants`', async () => {
  root = await mkdtemp(path.join(tmpdir(), 'agi-prune-variants-'));
  await writeBaseline('snapshots/live.test.ts/banner.jpg', 'docs.jpg');
  await writeBaseline('snapshots/live.test.ts/banner.2.jpg', 'form.jpg');
  // Left from when the name allowed 3 variants; the assertion (now `variants: 2`) never reads it.
  await writeBaseline('snapshots/live.test.ts/banner.3.jpg', 'thanks.jpg');
  const results = resultsOf([
    { name: 'banner', baseline: 'snapshots/live.test.ts/banner.2.jpg', variant: 2, variantFiles: ['snapshots/live.test.ts/banner.2.jpg', 'snapshots/live.test.ts/banner.jpg'] },
  ]);
  const plan = await planPrune(root, results, []);
  expect(plan.unused.map((file) => path.relative(root, file))).toEqual(['snapshots/live.test.ts/banner.3.jpg', 'snapshots/live.test.ts/banner.3.jpg.json']);
  expect(plan.images).toBe(3);
});
