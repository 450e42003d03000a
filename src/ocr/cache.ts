/// <reference types="node" preserve="true" />
import { createHash } from 'node:crypto';
import type { Region } from '../options/options.js';

/**
 * Readings kept per process. A reading is a few kB; polling one page produces one entry per distinct capture, so a
 * few hundred cover a long test file while bounding what a run over thousands of captures can hold.
 */
export const MAX_CACHED_READINGS = 256;

/** The key of one reading: the SHA-256 of the encoded image exactly as received, plus the region read. */
export function readingKey(bytes: Uint8Array, region: Region | undefined): string {
  const hash = createHash('sha256').update(bytes).digest('hex');
  return region ? `${hash} ${region.x},${region.y},${region.width},${region.height}` : hash;
}

/**
 * Results by key, oldest dropped first. The promise is kept, not the value, so two reads of the same capture that
 * overlap run the engine once; a read that fails is forgotten, so the next one tries again.
 */
export class ReadingCache<T> {
  readonly #entries = new Map<string, Promise<T>>();
  readonly #limit: number;

  constructor(limit = MAX_CACHED_READINGS) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, read: () => Promise<T>): Promise<T> {
    const cached = this.#entries.get(key);
    if (cached) {
      // Touched entries move to the end: the oldest untouched one goes first.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const reading = read();
    this.#entries.set(key, reading);
    reading.catch(() => {
      if (this.#entries.get(key) === reading) this.#entries.delete(key);
    });
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value!);
    return reading;
  }

  clear(): void {
    this.#entries.clear();
  }
}
