/// <reference types="node" preserve="true" />
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageMimeType } from './image.js';

export interface ScreenshotPaths {
  /** Baseline for the capture's own format (`.jpg` or `.png`): the file written. */
  baseline: string;
  /** The other format's baseline, read if the first is missing (the API switched formats). */
  otherBaseline: string;
  actual: string;
  diff: string;
}

const EXTENSION: Record<ImageMimeType, string> = { 'image/jpeg': '.jpg', 'image/png': '.png' };

/**
 * Turns a test-given or derived name into a safe file name: letters, digits, `.`, `_` and `-` only,
 * so it can never climb out of (or into a subfolder of) the snapshot folder.
 */
export function sanitizeName(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 200);
  if (!safe) throw new TypeError(`toMatchScreenshot: the name ${JSON.stringify(name)} has no usable characters; use letters, digits, "-" or "_".`);
  return safe;
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
  const name = sanitizeName(input.name);
  const ext = EXTENSION[input.mimeType];
  const otherExt = ext === '.jpg' ? '.png' : '.jpg';
  const snapshotFolder = path.resolve(input.root, input.snapshotDir, relative);
  const outputFolder = path.resolve(input.root, input.outputDir, relative);
  return {
    baseline: path.join(snapshotFolder, name + ext),
    otherBaseline: path.join(snapshotFolder, name + otherExt),
    actual: path.join(outputFolder, `${name}-actual${ext}`),
    diff: path.join(outputFolder, `${name}-diff.png`),
  };
}

/** The stored baseline (either format), or undefined if there is none. */
export async function readBaseline(paths: ScreenshotPaths): Promise<{ path: string; bytes: Buffer } | undefined> {
  for (const file of [paths.baseline, paths.otherBaseline]) {
    try {
      return { path: file, bytes: await readFile(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return undefined;
}

/** Writes via a unique temp file and rename, so a reader never sees half a file and concurrent writers never collide. */
export async function writeFileAtomically(file: string, data: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function removeFiles(...files: string[]): Promise<void> {
  await Promise.all(files.map((file) => rm(file, { force: true })));
}
