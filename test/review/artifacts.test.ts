import { describe, expect, test } from 'vitest';
import { recordReviewImages, type ArtifactApi, type ReviewImage } from '../../src/vitest/artifacts.js';

// The shape handed to Vitest. That Vitest's UI renders it is proven in a real browser by html-report.test.ts; here,
// the fallback for Vitest 4.0.0–4.0.10, which has test annotations but no recordArtifact (out of reach: not installed).
const images: ReviewImage[] = [
  { name: 'reference', path: '/p/snapshots/t.test.ts/home.jpg', contentType: 'image/jpeg', width: 1280, height: 720 },
  { name: 'actual', path: '/p/.vitest-agi/t.test.ts/home-actual.jpg', contentType: 'image/jpeg', width: 1280, height: 720 },
  { name: 'diff', body: Uint8Array.of(1, 2, 3), contentType: 'image/png', width: 1280, height: 720 },
];

function fakeTask() {
  const annotations: unknown[][] = [];
  return { annotations, task: { type: 'test', context: { annotate: async (...args: unknown[]) => void annotations.push(args) } } };
}

describe('recordReviewImages', () => {
  test('records one visual-regression artifact with the three images when Vitest has recordArtifact', async () => {
    const recorded: unknown[] = [];
    const api: ArtifactApi = { recordArtifact: async (_task, artifact) => void recorded.push(artifact) };
    const { task, annotations } = fakeTask();
    await recordReviewImages(task, 'Screenshot differs from baseline.', images, Promise.resolve(api));
    expect(recorded).toEqual([
      {
        type: 'internal:toMatchScreenshot',
        kind: 'visual-regression',
        message: 'Screenshot differs from baseline.',
        attachments: [
          { name: 'reference', path: '/p/snapshots/t.test.ts/home.jpg', contentType: 'image/jpeg', width: 1280, height: 720 },
          { name: 'actual', path: '/p/.vitest-agi/t.test.ts/home-actual.jpg', contentType: 'image/jpeg', width: 1280, height: 720 },
          { name: 'diff', body: Uint8Array.of(1, 2, 3), contentType: 'image/png', width: 1280, height: 720 },
        ],
      },
    ]);
    expect(annotations).toEqual([]);
  });

  test('falls back to one annotation per image when recordArtifact is missing or refuses the artifact', async () => {
    const refusing: ArtifactApi = {
      recordArtifact: async () => {
        throw new Error("Test runner doesn't support test artifacts.");
      },
    };
    for (const api of [{}, refusing]) {
      const { task, annotations } = fakeTask();
      await recordReviewImages(task, 'Screenshot differs from baseline.', images, Promise.resolve(api));
      expect(annotations).toEqual([
        ['Baseline: Screenshot differs from baseline.', 'vitest-agi', { path: '/p/snapshots/t.test.ts/home.jpg', contentType: 'image/jpeg' }],
        ['Actual: Screenshot differs from baseline.', 'vitest-agi', { path: '/p/.vitest-agi/t.test.ts/home-actual.jpg', contentType: 'image/jpeg' }],
        ['Diff: Screenshot differs from baseline.', 'vitest-agi', { body: Uint8Array.of(1, 2, 3), contentType: 'image/png' }],
      ]);
    }
  });

  test('records nothing outside a test, and never throws when neither API works', async () => {
    let calls = 0;
    const api: ArtifactApi = { recordArtifact: async () => void calls++ };
    await recordReviewImages(undefined, 'm', images, Promise.resolve(api));
    await recordReviewImages({ type: 'suite' }, 'm', images, Promise.resolve(api));
    expect(calls).toBe(0);
    const broken = { type: 'test', context: { annotate: async () => Promise.reject(new Error('no')) } };
    await expect(recordReviewImages(broken, 'm', images, Promise.resolve({}))).resolves.toBeUndefined();
  });
});
