import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StoredBaseline } from './baseline.js';

// A name may have several accepted baselines (`variants`): `<name>.jpg` is variant 1, `<name>.2.jpg` variant 2, …,
// each with its provenance sidecar. baselineFileStem hashes every name that ends in `.<digits>`, so no name's own
// file is ever another name's variant.

/** `…/banner.jpg` → `…/banner.2.jpg` for variant 2; variant 1 is the baseline file itself. */
export function variantPath(baselinePath: string, variant: number): string {
  if (variant === 1) return baselinePath;
  const ext = path.extname(baselinePath);
  return `${baselinePath.slice(0, baselinePath.length - ext.length)}.${variant}${ext}`;
}

/** An accepted variant found on disk (2 or more; variant 1 is read by readBaseline). */
export interface StoredVariant extends StoredBaseline {
  variant: number;
}

/** Variants 2..`limit` of a baseline that exist, in order (a missing one is a free slot, not the end). */
export async function readVariants(baselinePath: string, limit: number): Promise<StoredVariant[]> {
  const found: StoredVariant[] = [];
  for (let variant = 2; variant <= limit; variant++) {
    const file = variantPath(baselinePath, variant);
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (bytes) found.push({ path: file, bytes, legacy: false, variant });
  }
  return found;
}

/** The lowest variant number from 1 to `limit` not in `taken`, or undefined when all are. */
export function nextVariantSlot(taken: readonly number[], limit: number): number | undefined {
  for (let variant = 1; variant <= limit; variant++) if (!taken.includes(variant)) return variant;
  return undefined;
}
