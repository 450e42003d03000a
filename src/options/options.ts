import { RegionError, UsageError } from '../errors.js';
import type { JpegDecoderName } from '../image/jpeg-decoder.js';

/** A rectangle in screenshot pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PollOptions {
  /**
   * Keep re-capturing until the assertion passes or this many ms have passed (an agent still working).
   * 0 captures once: screenshots are costly for the API.
   * @default 0
   */
  timeout?: number;
  /** Pause between captures while polling, in ms. @default 1000 */
  interval?: number;
}

export interface ScreenshotOptions extends PollOptions {
  /**
   * pixelmatch's per-pixel colour distance (OKLab HyAB, 0–1) below which two pixels count as equal.
   * At 0.1 two captures of an unchanged page differ in no pixel, and a caret flags 17–20 px against 48 px for one changed digit.
   * @default 0.1
   */
  threshold?: number;
  /**
   * How many differing pixels are still a match. 32 lets a blinking caret (17–20 px measured) pass, and fails
   * one changed price digit (48 px) and a one-word edit (1,845 px). Mask animated regions instead of raising it.
   * @default 32
   */
  maxDiffPixels?: number;
  /** Share of differing pixels (0–1) still a match. With `maxDiffPixels` too, the stricter limit wins. @default undefined (not applied) */
  maxDiffPixelRatio?: number;
  /**
   * Before comparing (and before writing a new baseline), capture until two consecutive screenshots show the same page
   * — identical bytes, or a difference within this assertion's own limits (a blinking caret, a masked clock) — for at
   * most this many ms; then compare the last one, and say in a failure that the page never settled. A page that never
   * settles never becomes a baseline. With `timeout`, each poll settles, within the timeout. 0 captures once.
   * @default 0
   */
  settle?: number;
  /**
   * How many accepted baselines a name may have: `<name>.jpg`, `<name>.2.jpg`, … (a banner with two states). The
   * screenshot passes when it matches any of them; `vitest -u` adds one that matches none as the next variant while
   * fewer exist, and fails, naming the files, once all do. At most 10: each costs a comparison on every failure.
   * @default 1
   */
  variants?: number;
  /** Regions left out of the comparison (a clock, a spinner); they stay visible in the stored and diff images. @default [] */
  mask?: Region[];
  /** Compare only this part of the screenshot. @default the whole screenshot */
  clip?: Region;
  /**
   * Your own notes about this capture (the prompt version, the model), stored in the baseline's provenance sidecar
   * when a baseline is written and shown in failure messages and results. Merged key by key over configure()'s `meta`.
   * @example { prompt: 'v7', model: 'agi-0' }
   * @default {}
   */
  meta?: Record<string, MetaValue>;
  /**
   * Text left out of the comparison like a `mask` region (a clock, an order number, a date): every line or word that
   * OCR reads in the capture or in the baseline and that matches one of these (a string: a case-insensitive part of
   * it, whitespace normalised; a RegExp: tested) is masked, its box padded by a few pixels. OCR runs only when the
   * bytes differ from the baseline's; it needs the optional `tesseract.js` and `@tesseract.js-data/eng` packages.
   * @example { maskText: [/\d{1,2}:\d\d(:\d\d)?/, 'Order #'] }
   * @default []
   */
  maskText?: TextPattern[];
}

/** A `maskText` entry: a case-insensitive part of a line or word (string), or a RegExp tested against it. */
export type TextPattern = string | RegExp;

/** A `meta` value: kept as written in the sidecar JSON. */
export type MetaValue = string | number | boolean;

export interface PageOptions extends PollOptions {}

export interface TextOptions extends PollOptions {
  /** Read only this part of the screenshot, in screenshot pixels. @default the whole screenshot */
  region?: Region;
  /**
   * Before reading, capture until two consecutive screenshots are byte-identical, for at most this many ms (a page
   * still loading is read once it is still); a failure says when it never settled. 0 reads the first capture.
   * @default 0
   */
  settle?: number;
}

export interface ProjectOptions extends ScreenshotOptions {
  /** Where baselines live, relative to the Vitest root. @default 'snapshots' */
  snapshotDir?: string;
  /** Where actual and diff images go (gitignore it), relative to the Vitest root. @default '.vitest-agi' */
  outputDir?: string;
  /**
   * What decodes JPEGs when bytes differ: `'wasm'` (mozjpeg compiled to WebAssembly, loaded once per worker on the
   * first decode; 1080p in about 30 ms) or `'js'` (jpeg-js, pure JavaScript, about 6× slower). Baseline and capture
   * are always decoded by the same one. Where WebAssembly cannot run (`node --jitless`), `'wasm'` falls back to `'js'`.
   * @default 'wasm'
   */
  decoder?: JpegDecoderName;
}

/** The most `variants` allowed: each one not byte-equal costs a decode and a comparison on every failing capture. */
export const MAX_VARIANTS = 10;

export const DEFAULT_OPTIONS = {
  threshold: 0.1,
  maxDiffPixels: 32,
  maxDiffPixelRatio: undefined as number | undefined,
  mask: [] as Region[],
  clip: undefined as Region | undefined,
  meta: {} as Record<string, MetaValue>,
  maskText: [] as TextPattern[],
  timeout: 0,
  interval: 1000,
  settle: 0,
  variants: 1,
  snapshotDir: 'snapshots',
  outputDir: '.vitest-agi',
  decoder: 'wasm' as JpegDecoderName,
} satisfies Required<Omit<ProjectOptions, 'maxDiffPixelRatio' | 'clip'>> & ProjectOptions;

export type ResolvedOptions = typeof DEFAULT_OPTIONS;

let projectOptions: ProjectOptions = {};

/**
 * Sets project-wide defaults (for example in a setup file); options given to a matcher call win.
 * @example configure({ threshold: 0.15, timeout: 10_000 })
 */
export function configure(options: ProjectOptions): void {
  validateOptions(options, Object.keys(DEFAULT_OPTIONS), 'configure()');
  projectOptions = { ...projectOptions, ...options };
}

/** Forgets configure() calls (for tests). */
export function resetConfiguration(): void {
  projectOptions = {};
}

/** defaults ← configure() ← this call; `meta` is merged key by key. */
export function resolveOptions(callOptions: object | undefined, allowed: readonly string[], where: string): ResolvedOptions {
  if (callOptions !== undefined) validateOptions(callOptions, allowed, where);
  const call = (callOptions ?? {}) as ProjectOptions;
  const meta = { ...projectOptions.meta, ...call.meta };
  return { ...DEFAULT_OPTIONS, ...withoutUndefined(projectOptions), ...withoutUndefined(call), meta } as ResolvedOptions;
}

export const SCREENSHOT_OPTION_NAMES = ['threshold', 'maxDiffPixels', 'maxDiffPixelRatio', 'mask', 'clip', 'timeout', 'interval', 'meta', 'maskText', 'settle', 'variants'] as const;
export const PAGE_OPTION_NAMES = ['timeout', 'interval'] as const;
export const TEXT_OPTION_NAMES = ['region', 'timeout', 'interval', 'settle'] as const;

/** The object without its undefined-valued keys (so an explicit `undefined` never overrides a default). */
export function withoutUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/**
 * One wording for every options object we are given (the matchers, configure(), the reporter): a plain object whose
 * names are all known. A misspelt option would otherwise be ignored without a word.
 */
export function checkOptionNames(options: unknown, known: readonly string[], where: string): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new UsageError(`${where}: options must be an object, but received ${describeValue(options)}.`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new UsageError(`${where}: unknown option \`${name}\`. Known options: ${known.map((n) => `\`${n}\``).join(', ')}.`);
    }
  }
}

/** A path option: a non-empty string (an empty one would mean the working directory without saying so). */
export function checkPathOption(where: string, name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`${where}: \`${name}\` must be a non-empty path, but received ${describeValue(value)}.`);
}

function validateOptions(options: object, allowed: readonly string[], where: string): void {
  checkOptionNames(options, allowed, where);
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    switch (name) {
      case 'threshold':
      case 'maxDiffPixelRatio':
        checkNumber(where, name, value, 0, 1);
        break;
      case 'maxDiffPixels':
        checkNumber(where, name, value, 0, Number.MAX_SAFE_INTEGER, true);
        break;
      case 'timeout':
        checkNumber(where, name, value, 0, 24 * 3600_000);
        break;
      case 'settle':
        checkNumber(where, name, value, 0, 600_000);
        break;
      case 'variants':
        checkNumber(where, name, value, 1, MAX_VARIANTS, true);
        break;
      case 'interval':
        checkNumber(where, name, value, 1, 3600_000);
        break;
      case 'mask':
        if (!Array.isArray(value)) throw new UsageError(`${where}: \`mask\` must be an array of regions {x, y, width, height}, but received ${describeValue(value)}.`);
        value.forEach((region, i) => checkRegion(where, `mask[${i}]`, region));
        break;
      case 'clip':
      case 'region':
        checkRegion(where, name, value);
        break;
      case 'maskText':
        checkTextPatterns(where, value);
        break;
      case 'meta':
        checkMeta(where, value);
        break;
      case 'snapshotDir':
      case 'outputDir':
        checkPathOption(where, name, value);
        break;
      case 'decoder':
        if (value !== 'wasm' && value !== 'js') throw new UsageError(`${where}: \`decoder\` must be 'wasm' or 'js', but received ${describeValue(value)}.`);
        break;
    }
  }
}

function checkNumber(where: string, name: string, value: unknown, min: number, max: number, integer = false): void {
  if (typeof value !== 'number' || Number.isNaN(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${where}: \`${name}\` must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, but received ${describeValue(value)}.`);
  }
  if (value < min || value > max) {
    throw new UsageError(`${where}: \`${name}\` must be from ${min} to ${max}, but received ${value}.`);
  }
}

function checkRegion(where: string, name: string, region: unknown): void {
  const r = region as Partial<Region> | null;
  const ok =
    typeof r === 'object' && r !== null &&
    [r.x, r.y].every((v) => Number.isInteger(v) && (v as number) >= 0) &&
    [r.width, r.height].every((v) => Number.isInteger(v) && (v as number) > 0);
  if (!ok) {
    throw new UsageError(`${where}: \`${name}\` must be {x, y, width, height} in whole pixels (x, y ≥ 0; width, height > 0), but received ${describeValue(region)}.`);
  }
}

/**
 * Checks `mask` and `clip` against a capture's size, before anything is written or compared: a region outside the
 * image is a mistake on the run that writes the baseline and on every byte-identical run too, not only once the page changes.
 */
export function checkRegionsInside(options: { mask: Region[]; clip: Region | undefined }, size: { width: number; height: number }, where: string): void {
  const regions: Array<[string, Region]> = [...(options.clip ? [['clip', options.clip] as [string, Region]] : []), ...options.mask.map((r, i): [string, Region] => [`mask[${i}]`, r])];
  for (const [name, r] of regions) checkRegionInside(where, name, r, size);
}

function checkRegionInside(where: string, name: string, r: Region, size: { width: number; height: number }): void {
  if (r.x + r.width > size.width || r.y + r.height > size.height) {
    throw new RegionError(
      `${where}: \`${name}\` {x: ${r.x}, y: ${r.y}, width: ${r.width}, height: ${r.height}} reaches outside the ${size.width}×${size.height} screenshot (it ends at x ${r.x + r.width}, y ${r.y + r.height}).`,
    );
  }
}

/** One region option (`region` of a text read): its shape, then that it lies inside the capture, in the words above. */
export function checkRegionOption(where: string, name: string, region: unknown, size: { width: number; height: number }): asserts region is Region {
  checkRegion(where, name, region);
  checkRegionInside(where, name, region as Region, size);
}

function checkTextPatterns(where: string, value: unknown): void {
  if (!Array.isArray(value)) throw new UsageError(`${where}: \`maskText\` must be an array of strings and RegExps, but received ${describeValue(value)}.`);
  value.forEach((pattern, i) => {
    // An empty string is part of every text: it would mask every word on the page.
    const ok = (typeof pattern === 'string' && pattern.trim() !== '') || pattern instanceof RegExp;
    if (!ok) throw new UsageError(`${where}: \`maskText[${i}]\` must be a non-empty string or a RegExp, but received ${describeValue(pattern)}.`);
  });
}

function checkMeta(where: string, meta: unknown): void {
  // Plain in any realm: its prototype is null or a root prototype (Vitest's vm pools have their own Object).
  const proto = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? Object.getPrototypeOf(meta) : undefined;
  const isPlainObject = proto === null || (proto !== undefined && Object.getPrototypeOf(proto) === null);
  if (!isPlainObject) {
    throw new UsageError(`${where}: \`meta\` must be a plain object of strings, numbers or booleans, but received ${describeValue(meta)}.`);
  }
  for (const [key, value] of Object.entries(meta as object)) {
    const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) {
      throw new UsageError(`${where}: \`meta.${key}\` must be a string, a finite number or a boolean, but received ${describeValue(value)}.`);
    }
  }
}

/** Names a received value for an error message; objects show their keys, never their values (they may hold secrets). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    const keys = Object.keys(value as object);
    // Keys only, never values (they may hold secrets); a long list says how many it left out.
    const shown = keys.slice(0, 8).map((key) => (key.length > 40 ? `${key.slice(0, 40)}…` : key));
    const more = keys.length > shown.length ? `, … ${keys.length - shown.length} more` : '';
    return `${name && name !== 'Object' ? `a ${name}` : 'an object'}${keys.length ? ` with keys {${shown.join(', ')}${more}}` : ' with no keys'}`;
  }
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

// ---- trials() ----

export interface TrialsOptions {
  /**
   * How many of the k trials must pass for the call (and so the test) to pass: from 1 to k. 4 of 5 tolerates one
   * unlucky run; all of them (the default) is as strict as a plain test, but measures the rate too.
   * @default k (every trial)
   */
  atLeast?: number;
  /**
   * How many trials run at once, from 1 to 8 (more than k runs k). Each trial usually holds one API session while it
   * runs, and every test file Vitest runs in parallel multiplies that: keep concurrency × parallel files within what
   * your API account allows (the emulator's `maxSessions` is 8; one more session is a 429).
   * @default 1
   */
  concurrency?: number;
}

export const TRIALS_OPTION_NAMES = ['atLeast', 'concurrency'] as const;
/** More trials than this is a mistake (each one is an agent session), not a measurement. */
export const MAX_TRIALS = 1000;
/** The emulator's default session cap; the AGI API documents none, and answers 429 when one is reached. */
export const MAX_TRIAL_CONCURRENCY = 8;

/** `trials(k, options)` checked and completed with the defaults. */
export function resolveTrialsOptions(k: unknown, options: unknown, where = 'trials()'): { k: number; atLeast: number; concurrency: number } {
  checkWholeNumber(where, 'k', k, 1, MAX_TRIALS);
  checkOptionNames(options, TRIALS_OPTION_NAMES, where);
  const { atLeast = k, concurrency = 1 } = withoutUndefined(options as TrialsOptions);
  checkWholeNumber(where, 'atLeast', atLeast, 1, k, ' (k)');
  checkWholeNumber(where, 'concurrency', concurrency, 1, MAX_TRIAL_CONCURRENCY);
  return { k, atLeast, concurrency };
}

function checkWholeNumber(where: string, name: string, value: unknown, min: number, max: number, maxNote = ''): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${where}: \`${name}\` must be a whole number from ${min} to ${max}${maxNote}, but received ${describeValue(value)}.`);
  }
}
