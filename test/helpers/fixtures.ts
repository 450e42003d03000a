import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Bytes of a committed Chromium screenshot from test/fixtures/shots (see its README). */
export function shot(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/shots/${name}`, import.meta.url)));
}

export function dataUrl(bytes: Buffer, mime = 'image/jpeg'): string {
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

/** A real JPEG whose frame header is patched to claim 60000×60000 (a decompression bomb). */
export function bombJpeg(): Buffer {
  const bytes = Buffer.from(shot('docs-640x360.jpg'));
  for (let i = 2; i < bytes.length - 9; ) {
    const marker = bytes[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xc2) {
      bytes.writeUInt16BE(60000, i + 5);
      bytes.writeUInt16BE(60000, i + 7);
      return bytes;
    }
    i += 2 + bytes.readUInt16BE(i + 2);
  }
  throw new Error('no SOF marker in fixture');
}

/** A deterministic random number generator in [0, 1) (mulberry32), for generated test inputs that repeat run to run. */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
