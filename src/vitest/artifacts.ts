/**
 * Puts the baseline, actual and diff images into Vitest's own report (`vitest --ui`, the HTML reporter), next to the
 * test. Vitest ≥ 4.0.11 has `recordArtifact`, and its UI shows an `internal:toMatchScreenshot` / `visual-regression`
 * artifact as Diff / Reference / Actual / Slider tabs: the view users know from Vitest's browser-mode matcher, so we
 * record that shape. Older 4.0.x only has test annotations: one annotation per image there.
 */

/** One image for the report, named as Vitest's visual-regression view expects. */
export interface ReviewImage {
  name: 'reference' | 'actual' | 'diff';
  /** A file Vitest copies into its `attachmentsDir` at once (so it may be deleted afterwards)… */
  path?: string;
  /** …or the bytes, for an image that is no longer on disk (the baseline a `-u` run just replaced). */
  body?: Uint8Array;
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/** The parts of a Vitest test task we use; both majors have them. */
export interface TaskLike {
  type?: string;
  context?: { annotate?: (message: string, type?: string, attachment?: object) => Promise<unknown> };
}

export interface ArtifactApi {
  recordArtifact?: (task: never, artifact: object) => Promise<unknown>;
}

const LABELS = { reference: 'Baseline', actual: 'Actual', diff: 'Diff' } as const;

let vitestModule: Promise<ArtifactApi> | undefined;

/** `vitest`'s exports, loaded on first use (this module is imported outside test runs too, by the reporter). */
export function loadArtifactApi(): Promise<ArtifactApi> {
  vitestModule ??= import('vitest').then(
    (module) => module as ArtifactApi,
    () => ({}),
  );
  return vitestModule;
}

/**
 * Records the images on the running test. Never fails the assertion: the report is a view of the verdict, and a
 * Vitest without either API (or one that changed its experimental artifact API) just shows no images.
 */
export async function recordReviewImages(
  testTask: object | undefined,
  message: string,
  images: ReviewImage[],
  api: Promise<ArtifactApi> = loadArtifactApi(),
): Promise<void> {
  const task = testTask as TaskLike | undefined;
  if (!task || task.type !== 'test' || images.length === 0) return;
  const { recordArtifact } = await api;
  if (typeof recordArtifact === 'function') {
    try {
      // Fresh attachment objects: Vitest rewrites them in place (bodies to base64, paths to its copies).
      const attachments = images.map(({ name, path, body, contentType, width, height }) => ({
        name, contentType, width, height, ...(path === undefined ? { body: Uint8Array.from(body ?? []) } : { path }),
      }));
      await recordArtifact(task as never, { type: 'internal:toMatchScreenshot', kind: 'visual-regression', message, attachments });
      return;
    } catch {
      // fall back to annotations below
    }
  }
  const context = task.context;
  if (typeof context?.annotate !== 'function') return;
  for (const { name, path, body, contentType } of images) {
    try {
      await context.annotate(`${LABELS[name]}: ${message}`, 'vitest-agi', path === undefined ? { body: Uint8Array.from(body ?? []), contentType } : { path, contentType });
    } catch {
      return;
    }
  }
}
