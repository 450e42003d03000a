import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from './baseline.js';
import { escapeNetworkText } from '../text/network-text.js';
import type { MetaValue } from '../options/options.js';

/**
 * Where a baseline came from, stored beside it as `<baseline>.json` (e.g. `snapshots/…/home.jpg.json`).
 * Written only together with the baseline's bytes, so an unchanged baseline never churns its sidecar in git.
 */
export interface BaselineProvenance {
  /** Page URL of the capture that became the baseline. */
  url: string;
  title: string;
  width: number;
  height: number;
  /** SHA-256 of the baseline file's bytes (hex): tells whether this sidecar still describes the file beside it. */
  sha256: string;
  /** ISO 8601 time the baseline was written. */
  capturedAt: string;
  /** vitest-agi version that wrote it. */
  vitestAgi: string;
  /** `meta` option of the assertion (and configure()), keys sorted. Omitted when empty. */
  meta?: Record<string, MetaValue>;
}

/** `snapshots/…/home.jpg` → `snapshots/…/home.jpg.json`. */
export function provenancePath(baselinePath: string): string {
  return `${baselinePath}.json`;
}

export function hashImage(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

let version: string | undefined;

/** This package's version, from its package.json (two levels above src/baselines/ and dist/baselines/). */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}

/**
 * Writes the sidecar for a baseline just written. If the sidecar already describes these exact bytes (a baseline
 * deleted and written again unchanged), it is left alone: its first capture time stays, and git sees no change.
 */
export async function writeProvenance(
  baselinePath: string,
  capture: { bytes: Uint8Array; url: string; title: string; width: number; height: number },
  meta: Record<string, MetaValue>,
  now: Date = new Date(),
): Promise<void> {
  const sha256 = hashImage(capture.bytes);
  const existing = await readSidecar(baselinePath);
  if (existing?.sha256 === sha256) return;
  const sortedMeta = Object.fromEntries(Object.entries(meta).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  // Key order is fixed by this literal, so the file's text depends only on its values.
  const record: BaselineProvenance = {
    url: escapeNetworkText(capture.url),
    title: escapeNetworkText(capture.title),
    width: capture.width,
    height: capture.height,
    sha256,
    capturedAt: now.toISOString(),
    vitestAgi: packageVersion(),
    ...(Object.keys(sortedMeta).length > 0 ? { meta: sortedMeta } : {}),
  };
  await writeFileAtomically(provenancePath(baselinePath), Buffer.from(`${JSON.stringify(record, null, 2)}\n`));
}

/**
 * The sidecar of a baseline, if there is one and it describes these bytes. A sidecar whose hash does not match
 * (the image was replaced by hand, or a merge took one file and not the other) says nothing true, so it is ignored.
 */
export async function readProvenance(baselinePath: string, baselineBytes: Uint8Array): Promise<BaselineProvenance | undefined> {
  const record = await readSidecar(baselinePath);
  return record && record.sha256 === hashImage(baselineBytes) ? record : undefined;
}

/** The sidecar beside a baseline as written, whether or not it still describes the file. */
export async function readSidecar(baselinePath: string): Promise<BaselineProvenance | undefined> {
  let text: string;
  try {
    text = await readFile(provenancePath(baselinePath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const record = JSON.parse(text) as Partial<BaselineProvenance>;
    return typeof record === 'object' && record !== null && typeof record.sha256 === 'string' && typeof record.url === 'string'
      ? (record as BaselineProvenance)
      : undefined;
  } catch {
    return undefined; // a hand-edited or conflicted sidecar is not worth failing an assertion over
  }
}

/** "captured from https://shop.example/checkout on 2026-11-20, prompt v7" */
export function describeProvenance(record: BaselineProvenance): string {
  const day = record.capturedAt.slice(0, 10);
  const meta = Object.entries(record.meta ?? {}).map(([key, value]) => `${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [`captured from ${record.url} on ${day}`, ...meta].join(', ');
}
