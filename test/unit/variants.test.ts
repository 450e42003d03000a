import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { baselineFileStem, legacyFileStem, resolveScreenshotPaths } from '../../src/baselines/baseline.js';
import { nextVariantSlot, readVariants, variantPath } from '../../src/baselines/variants.js';
import { seededRandom } from '../helpers/fixtures.js';

describe('variant file names', () => {
  test('variant 1 is the baseline itself; variant n adds .n before the extension', () => {
    expect(variantPath('/p/snapshots/t.test.ts/banner.jpg', 1)).toBe('/p/snapshots/t.test.ts/banner.jpg');
    expect(variantPath('/p/snapshots/t.test.ts/banner.jpg', 2)).toBe('/p/snapshots/t.test.ts/banner.2.jpg');
    expect(variantPath('/p/snapshots/t.test.ts/Home--3a786953.png', 10)).toBe('/p/snapshots/t.test.ts/Home--3a786953.10.png');
  });

  test('a name ending in .<digits> gets the hash, so it can never be another name\'s variant file', () => {
    expect(baselineFileStem('banner.2')).toBe('banner.2--923fc41a');
    expect(baselineFileStem('step.10')).toBe('step.10--90a5a906');
    expect(baselineFileStem('home_page.v2')).toBe('home_page.v2');
    // 0.2 stored "banner.2" as banner.2.jpg: that file is read as the name's old file, and `-u` moves it.
    expect(legacyFileStem('banner.2')).toBe('banner.2');
  });

  test('no variant file (1–10) of one generated name is the baseline or a variant of another, even case-insensitively', () => {
    const random = seededRandom(7);
    const alphabet = ['a', 'B', '1', '2', '.', '-', ' ', '.2', '.10', '--'];
    const names = new Set<string>(['banner', 'banner.2', 'banner.2.2', 'Banner.2', 'banner-2']);
    while (names.size < 5_000) names.add(Array.from({ length: 1 + Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    const owner = new Map<string, string>();
    const problems: string[] = [];
    for (const name of names) {
      const file = resolveScreenshotPaths({ root: '/p', testPath: '/p/t.test.ts', name, mimeType: 'image/jpeg', snapshotDir: 'snapshots', outputDir: 'out' }).baseline;
      for (let n = 1; n <= 10; n++) {
        const key = variantPath(file, n).toLowerCase();
        if (owner.has(key) && owner.get(key) !== name) problems.push(`${JSON.stringify(name)} #${n} and ${JSON.stringify(owner.get(key))} → ${key}`);
        owner.set(key, name);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('reading variants', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('reads the variants 2..limit that exist, and names the first free slot', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-variants-'));
    const base = path.join(dir, 'banner.jpg');
    await writeFile(variantPath(base, 3), 'three');
    await writeFile(variantPath(base, 5), 'five');
    const found = await readVariants(base, 4);
    expect(found.map((v) => [v.variant, path.basename(v.path), v.bytes.toString()])).toEqual([[3, 'banner.3.jpg', 'three']]);
    expect(nextVariantSlot([1, 3], 4)).toBe(2);
    expect(nextVariantSlot([1, 2, 3, 4], 4)).toBeUndefined();
    expect(nextVariantSlot([], 1)).toBe(1);
  });
});
