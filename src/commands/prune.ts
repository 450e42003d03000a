import { existsSync } from 'node:fs';
import { readdir, readFile, realpath, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { plural, relativePath } from '../text/format.js';
import { readProvenance, readSidecar } from '../baselines/provenance.js';
import { ResultsError } from '../errors.js';
import { findShardFiles, incompleteReasons, readResults, RESULTS_FILE, type RunResults } from '../results/results.js';

export const PRUNE_USAGE = `Usage: vitest-agi prune [--delete] [--results FILE] [--snapshot-dir DIR …] [--root DIR]

Lists the baselines (and their .json provenance sidecars) that no assertion used in the last run, which must have
been complete: every test file, no -t or other filter, every shard merged (\`vitest-agi report\`), no failures.
Only files vitest-agi wrote are deleted (an image its provenance sidecar describes, or a sidecar whose image is gone),
and only in snapshot folders inside the Vitest root: a folder outside it (a \`../baselines\` shared in a monorepo) is refused.
  --delete            delete them (and folders left empty)
  --results FILE      the run's results (default: .vitest-agi/results.json)
  --snapshot-dir DIR  a baseline folder to check (default: every snapshotDir the run's assertions used)
  --root DIR          the Vitest root (default: the current folder)`;

const IMAGE = /\.(jpe?g|png)$/i;
const SIDECAR = /\.(jpe?g|png)\.json$/i;

/** `vitest-agi prune …`. Resolves with the exit code: 0 listed or deleted, 1 refused, 2 bad arguments. */
export async function runPruneCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        delete: { type: 'boolean', default: false },
        results: { type: 'string' },
        'snapshot-dir': { type: 'string', multiple: true },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${PRUNE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${PRUNE_USAGE}\n`);
    return 0;
  }
  const root = path.resolve(values.root ?? '.');
  const resultsFile = path.resolve(root, values.results ?? RESULTS_FILE);
  const shown = relativePath(root, resultsFile);

  let results: RunResults;
  try {
    results = await readResults(resultsFile);
  } catch (error) {
    if (!(error instanceof ResultsError)) throw error;
    const shards = await findShardFiles(resultsFile);
    const why = shards.length > 0
      ? `the last run was sharded and its results are not merged (${shards.map((f) => path.basename(f)).join(', ')}): run \`vitest-agi report\` with every shard's results first.`
      : `${error.message} Add 'vitest-agi/reporter' to Vitest's reporters and run every test first.`;
    process.stderr.write(`vitest-agi prune: refusing: ${why}\n`);
    return 1;
  }
  const reasons = incompleteReasons(results);
  if (reasons.length > 0) {
    process.stderr.write(
      `vitest-agi prune: refusing, because the last run (${shown}, ${describeTime(results.startedAt)}) cannot tell which baselines are unused:\n` +
        reasons.map((reason) => `  - ${reason}\n`).join(''),
    );
    return 1;
  }

  const plan = await planPrune(root, results, values['snapshot-dir'] ?? []);
  for (const dir of plan.refused) {
    process.stderr.write(
      `vitest-agi prune: refusing to prune ${dir}: it is outside the Vitest root (${root}), where other projects may keep baselines this run knows nothing of. Prune it from the project whose root contains it.\n`,
    );
  }
  const where = `(${shown}, ${describeTime(results.startedAt)})`;
  const lines: string[] = [];
  const unusedImages = plan.unused.filter((file) => IMAGE.test(file)).length;
  if (plan.unused.length === 0) {
    lines.push(
      plan.kept.size === 0
        ? `Nothing to prune: all ${plural(plan.images, 'baseline')} in ${plan.dirs.join(', ')} were used in the last complete run ${where}.`
        : `Nothing to prune in ${plan.dirs.join(', ')} after the last complete run ${where}.`,
    );
  } else {
    const counted = `${unusedImages} of ${plural(plan.images, 'baseline')}${unusedImages < plan.unused.length ? ' (and provenance sidecars)' : ''}`;
    lines.push(`${values.delete ? 'Deleted' : 'Unused'}: ${counted} that no assertion used in the last complete run ${where}:`, '');
    for (const file of plan.unused) lines.push(`  ${relativePath(root, file)}`);
  }
  for (const [testFile, count] of plan.kept) {
    lines.push('', `Kept ${plural(count, 'baseline')} under ${testFile}: ${keptReason(results, testFile)}`);
  }
  if (plan.foreign.length > 0) {
    lines.push('', `Kept ${plan.foreign.length} unused ${plan.foreign.length === 1 ? 'image' : 'images'} that vitest-agi did not write (no provenance sidecar describes them); delete them yourself if they are not needed:`);
    for (const file of plan.foreign) lines.push(`  ${relativePath(root, file)}`);
  }
  if (values.delete) {
    await deleteFiles(plan.unused, plan.dirs.map((dir) => path.resolve(root, dir)));
  } else if (plan.unused.length > 0) {
    lines.push('', 'Run `vitest-agi prune --delete` to delete them.');
  }
  if (plan.dirs.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  return plan.refused.length > 0 ? 1 : 0;
}

export interface PrunePlan {
  /** Snapshot folders inside the root, as given. */
  dirs: string[];
  /** Snapshot folders outside the root: never listed, never touched. */
  refused: string[];
  /** Unused images in the folders that no sidecar marks as written by vitest-agi: kept. */
  foreign: string[];
  /** Image and sidecar files to delete, absolute, sorted. */
  unused: string[];
  /** How many baseline images were looked at. */
  images: number;
  /** Test file → baselines kept although unused, because the run did not run all of that file's tests. */
  kept: Map<string, number>;
}

/** The baselines (and sidecars) under the run's snapshot folders that no assertion of a complete run used. */
export async function planPrune(root: string, results: RunResults, extraDirs: string[]): Promise<PrunePlan> {
  const screenshots = results.assertions.filter((a) => a.matcher === 'toMatchScreenshot');
  const given = [...new Set([...screenshots.map((a) => a.snapshotDir).filter((d): d is string => d !== undefined), ...extraDirs])];
  if (given.length === 0) given.push('snapshots');
  const dirs: string[] = [];
  const refused: string[] = [];
  const foreign: string[] = [];
  for (const dir of given) {
    if (await isInside(root, path.resolve(root, dir))) dirs.push(dir);
    else refused.push(path.relative(root, path.resolve(root, dir)).split(path.sep).join('/'));
  }
  // A name's accepted variants are all in use, not only the one that matched; variants beyond `variants` are not.
  const usedFiles = screenshots.flatMap((a) => [a.baseline, ...(a.variantFiles ?? [])]).filter((b): b is string => b !== undefined);
  const used = new Set(usedFiles.map((b) => path.resolve(root, b)));
  const files = new Map(results.files.map((f) => [f.file, f]));
  const unused: string[] = [];
  const kept = new Map<string, number>();
  let images = 0;
  for (const dir of dirs) {
    const absoluteDir = path.resolve(root, dir);
    for (const file of await listFiles(absoluteDir)) {
      const isImage = IMAGE.test(file);
      const isSidecar = SIDECAR.test(file);
      if (!isImage && !isSidecar) continue;
      if (isImage) images++;
      const image = isSidecar ? file.slice(0, -'.json'.length) : file;
      // A sidecar goes with its image: kept while the image is used, deleted with it (or alone, when orphaned).
      if (used.has(image)) continue;
      // snapshots/<test file>/<name>.jpg: which test file the baseline belongs to.
      const testFile = path.relative(absoluteDir, path.dirname(image)).split(path.sep).join('/');
      if (testFile === '') continue; // baselines live in a folder named for their test file, never at the top
      // Only what vitest-agi wrote: an image its sidecar describes, or a sidecar of ours whose image is gone.
      const ours = isImage || existsSync(image) ? await isOurBaseline(image) : (await readSidecar(image)) !== undefined;
      if (!ours) {
        if (isImage) foreign.push(file);
        continue;
      }
      const entry = files.get(testFile);
      const partial = entry ? entry.skippedTests > 0 || !entry.ran : existsSync(path.resolve(root, testFile));
      if (partial) {
        if (isImage) kept.set(testFile, (kept.get(testFile) ?? 0) + 1);
        continue;
      }
      unused.push(file);
    }
  }
  unused.sort();
  foreign.sort();
  return { dirs, refused, foreign, unused, images: images - foreign.length, kept };
}

/** Whether `dir` is the root or inside it, after following symbolic links (a `snapshots` link to `../shared` is outside). */
async function isInside(root: string, dir: string): Promise<boolean> {
  const real = async (file: string): Promise<string> => {
    try {
      return await realpath(file);
    } catch {
      return path.join(await real(path.dirname(file)), path.basename(file)); // not there yet: resolve what exists
    }
  };
  const relative = path.relative(await real(root), await real(dir));
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

async function isOurBaseline(image: string): Promise<boolean> {
  const bytes = await readFile(image).catch(() => undefined);
  return bytes !== undefined && (await readProvenance(image, bytes)) !== undefined;
}

function keptReason(results: RunResults, testFile: string): string {
  const entry = results.files.find((f) => f.file === testFile);
  if (!entry) return 'the test file exists, but the last run did not include it (was it added after the run?).';
  if (!entry.ran) return 'the last run did not run this test file.';
  return `${entry.skippedTests} of its tests ${entry.skippedTests === 1 ? 'was' : 'were'} skipped (.skip, .only, a line filter or ctx.skip()), so their baselines may still be in use.`;
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : Promise.resolve(entry.isFile() ? [path.join(dir, entry.name)] : []))),
  );
  return nested.flat();
}

/** Deletes the files, then every folder they leave empty, up to (not including) the snapshot folder. */
async function deleteFiles(files: string[], stopAt: string[]): Promise<void> {
  await Promise.all(files.map((file) => rm(file, { force: true })));
  const folders = [...new Set(files.map((file) => path.dirname(file)))].sort((a, b) => b.length - a.length);
  for (let folder of folders) {
    while (!stopAt.includes(folder) && stopAt.some((dir) => folder.startsWith(dir + path.sep))) {
      const left = await readdir(folder).catch(() => undefined);
      if (!left || left.length > 0) break;
      await rmdir(folder);
      folder = path.dirname(folder);
    }
  }
}


function describeTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

