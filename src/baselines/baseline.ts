/// <reference types="node" preserve="true" />
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FileSystemError, UsageError } from '../errors.js';
import type { ImageMimeType } from '../image/image.js';

export interface ScreenshotPaths {
  /** Baseline for the capture's own format (`.jpg` or `.png`): the file written. */
  baseline: string;
  /** The other format's baseline, read if the first is missing (the API switched formats). */
  otherBaseline: string;
  /** Where 0.1 kept this name's baseline (both formats), when its rule gave another file; read if the others are missing. */
  legacyBaselines: string[];
  actual: string;
  diff: string;
}

const EXTENSION: Record<ImageMimeType, string> = { 'image/jpeg': '.jpg', 'image/png': '.png' };

/** Longest readable part of a file name; longer names keep their first 100 characters and get the hash. */
const MAX_SLUG = 100;
/** `.2` at the end is how variant files are told apart (`banner.2.jpg`): a name ending so gets the hash. */
const VARIANT_SUFFIX = /\.\d+$/;
/** Device names Windows refuses as a file name, with or without an extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * The file name (without extension) of a baseline, one-to-one with the name even on a case-insensitive file system:
 * a name that is already a safe, lower-case file name not ending in `.<digits>` (the variant files' suffix) is used as
 * it is (`checkout-done`); any other name becomes a
 * readable slug plus `--` and 8 hex digits of the SHA-256 of the exact name (`Checkout-Done--1f3a9c2e`).
 * A slug never contains `--`, so the two kinds cannot meet, and two distinct names of the second kind would need the
 * same slug and the same 32-bit hash.
 */
export function baselineFileStem(name: string): string {
  if (name.length === 0) throw new UsageError('toMatchScreenshot: the name must not be empty.');
  const slug = slugify(name).slice(0, MAX_SLUG).replace(/[-.]+$/, '');
  if (slug === name && !/[A-Z]/.test(name) && !WINDOWS_RESERVED.test(name.split('.')[0]!) && !VARIANT_SUFFIX.test(name)) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
  return `${slug || 'screenshot'}--${hash}`;
}

/** The file name 0.1 gave this name, if it gave one and it differs from today's (0.1 refused names with no usable characters). */
export function legacyFileStem(name: string): string | undefined {
  const stem = slugify(name).slice(0, 200);
  return stem && stem !== baselineFileStem(name) ? stem : undefined;
}

/** Letters, digits, `.`, `_` and `-` only, so a name can never climb out of (or into a subfolder of) its folder. */
function slugify(name: string): string {
  return name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * snapshots/<test file relative to root>/<name>.jpg and .vitest-agi/<same>/<name>-actual.jpg, <name>-diff.png.
 * A test file outside the root is filed under its base name, never outside the folder.
 */
export function resolveScreenshotPaths(input: {
  root: string;
  testPath: string;
  name: string;
  mimeType: ImageMimeType;
  snapshotDir: string;
  outputDir: string;
}): ScreenshotPaths {
  let relative = path.relative(input.root, input.testPath);
  if (relative.startsWith('..') || path.isAbsolute(relative)) relative = path.basename(input.testPath);
  const stem = baselineFileStem(input.name);
  const legacy = legacyFileStem(input.name);
  const ext = EXTENSION[input.mimeType];
  const otherExt = ext === '.jpg' ? '.png' : '.jpg';
  const snapshotFolder = path.resolve(input.root, input.snapshotDir, relative);
  const outputFolder = path.resolve(input.root, input.outputDir, relative);
  return {
    baseline: path.join(snapshotFolder, stem + ext),
    otherBaseline: path.join(snapshotFolder, stem + otherExt),
    legacyBaselines: legacy === undefined ? [] : [path.join(snapshotFolder, legacy + ext), path.join(snapshotFolder, legacy + otherExt)],
    actual: path.join(outputFolder, `${stem}-actual${ext}`),
    diff: path.join(outputFolder, `${stem}-diff.png`),
  };
}

/** A baseline found on disk; `legacy` when it is the file 0.1's naming rule gave this name. */
export interface StoredBaseline {
  path: string;
  bytes: Buffer;
  legacy: boolean;
}

// Which name read each baseline file in this worker (keys lower-cased, as macOS and Windows compare them). A test
// file's baselines share one folder and run in one worker, so this sees every name that could share a 0.1 file.
const readers = new Map<string, string>();

/**
 * The stored baseline: this name's file (either format), else its 0.1 file, unless another name already used that
 * one in this run (0.1 gave both names one file, so it is not this name's baseline for sure).
 * `shown` names a file for error messages (relative to the root).
 */
export async function readBaseline(paths: ScreenshotPaths, name: string, shown: (file: string) => string = (f) => f): Promise<StoredBaseline | undefined> {
  await removeStaleTempFiles(path.dirname(paths.baseline));
  for (const file of [paths.baseline, paths.otherBaseline]) readers.set(file.toLowerCase(), name);
  const candidates = [
    ...[paths.baseline, paths.otherBaseline].map((file) => ({ file, legacy: false })),
    ...paths.legacyBaselines.filter((file) => (readers.get(file.toLowerCase()) ?? name) === name).map((file) => ({ file, legacy: true })),
  ];
  for (const { file, legacy } of candidates) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw fileSystemError('read', `the baseline ${shown(file)}`, file, error);
    }
    if (legacy) readers.set(file.toLowerCase(), name);
    return { path: file, bytes, legacy };
  }
  return undefined;
}

/**
 * Writes via a unique temp file and rename, so a reader never sees half a file and concurrent writers never collide.
 * A failure names `what` ("the baseline snapshots/…/home.jpg"), never the temp file.
 */
export async function writeFileAtomically(file: string, data: Uint8Array, what = file): Promise<void> {
  await writeThroughTemp(file, data, what, (temp) => rename(temp, file));
}

/**
 * Writes a file that must not exist yet: the temp file is hard-linked into place, which fails if another writer (a
 * concurrent trial, another Vitest process) got there first; it then resolves false and leaves their file alone.
 * A reader never sees half a file. Where hard links are refused (some network and FAT file systems), an exclusive
 * copy keeps "one writer wins" but not the atomicity.
 */
export async function writeNewFileAtomically(file: string, data: Uint8Array, what = file): Promise<boolean> {
  const lost = (error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? false : Promise.reject(error));
  return writeThroughTemp(file, data, what, (temp) =>
    link(temp, file).then(
      () => true,
      (error: NodeJS.ErrnoException) => (NO_HARD_LINKS.has(error.code ?? '') ? copyFile(temp, file, constants.COPYFILE_EXCL).then(() => true, lost) : lost(error)),
    ),
  );
}

/** Writes `data` to a temp file beside `file`, then `place` puts it there; the temp file never outlives the call. */
async function writeThroughTemp<T>(file: string, data: Uint8Array, what: string, place: (temp: string) => Promise<T>): Promise<T> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await removeStaleTempFiles(path.dirname(file));
    await writeFile(temp, data);
    return await place(temp);
  } catch (error) {
    throw fileSystemError('write', what, file, error);
  } finally {
    await rm(temp, { force: true }).catch(() => {});
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

export async function removeFiles(...files: string[]): Promise<void> {
  await Promise.all(files.map((file) => rm(file, { force: true })));
}

/** `<file>.<pid>.<8 hex>.tmp`: the temp files writeFileAtomically makes. */
export const TEMP_FILE = /\.\d+\.[0-9a-f]{8}\.tmp$/;
/** A write takes milliseconds; a temp file this old was left by a killed run. */
const STALE_TEMP_MS = 5 * 60_000;
const cleanedFolders = new Set<string>();

/** Deletes temp files that killed runs left in a folder, once per folder and process; never fails the caller. */
async function removeStaleTempFiles(folder: string): Promise<void> {
  if (cleanedFolders.has(folder)) return;
  cleanedFolders.add(folder);
  const names = await readdir(folder).catch(() => [] as string[]);
  await Promise.all(
    names.filter((entry) => TEMP_FILE.test(entry)).map(async (entry) => {
      const file = path.join(folder, entry);
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile() && Date.now() - info.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true }).catch(() => {});
    }),
  );
}

const FAILURES: Record<string, [reason: string, advice: string]> = {
  EISDIR: ['a folder has its name', 'Remove or rename the folder.'],
  ENOTDIR: ['a file is in the way of one of its folders', 'Remove or rename that file.'],
  ENOSPC: ['the disk is full', 'Free some space and run again.'],
  EDQUOT: ['the disk quota is used up', 'Free some space and run again.'],
  EROFS: ['the file system is read-only', 'Run where this folder is writable, or set `snapshotDir` / `outputDir` to a writable folder.'],
  EACCES: ['permission denied', 'Check the permissions of the file and its folder.'],
  EPERM: ['operation not permitted', 'Check the permissions of the file and its folder.'],
};

function fileSystemError(action: 'read' | 'write', what: string, file: string, error: unknown): FileSystemError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  const [reason, advice] = FAILURES[code] ?? [(error as Error).message ?? String(error), 'Check the file and its folder.'];
  return new FileSystemError(`could not ${action} ${what}: ${reason} (${code}). ${advice}`, file, { cause: error });
}
