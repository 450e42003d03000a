/// <reference types="node" preserve="true" />
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { OcrUnavailableError } from '../errors.js';

/** The one command that makes OCR work: both optional peer dependencies. */
export const OCR_INSTALL_COMMAND = 'npm install -D tesseract.js @tesseract.js-data/eng';

/** Language data inside @tesseract.js-data/eng, read from disk: nothing is fetched at run time. */
const LANGUAGE_DATA_DIR = '4.0.0';

/** A rectangle as tesseract reports it: left, top, right, bottom (exclusive) in the image it was given. */
export interface EngineBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
export interface EngineWord {
  text: string;
  confidence: number;
  bbox: EngineBox;
}
export interface EngineLine extends EngineWord {
  words: EngineWord[];
}

/** What we use of a tesseract.js worker, typed here so that our .d.ts files never name the optional peer. */
interface TesseractWorker {
  /** The worker thread itself. */
  worker: {
    ref(): void;
    unref(): void;
    on(event: 'error', listener: (error: Error) => void): void;
    once(event: 'exit', listener: () => void): void;
    off(event: 'exit', listener: () => void): void;
  };
  recognize(image: Uint8Array, parameters: Record<string, string>, output: Record<string, boolean>): Promise<{ data: { blocks: Array<{ paragraphs: Array<{ lines: EngineLine[] }> }> | null } }>;
  terminate(): Promise<void>;
}
type CreateWorker = (language: string, oem: number, options: Record<string, unknown>) => Promise<TesseractWorker>;

/**
 * The thread's script: tesseract.js's own worker script, with the console of the thread silenced. The engine writes
 * its diagnostics there ("Detected 11 diacritics", Leptonica's "Error in pixScanForForeground: invalid box" on
 * flattened buttons), and a worker thread's console goes straight to the test run's output. A data: URL, so the
 * same code runs from src/ and dist/; results and failures still come back as messages.
 */
function quietWorkerScript(tesseractEntry: string): URL {
  const script = path.join(path.dirname(tesseractEntry), 'worker-script', 'node', 'index.js');
  const code = [
    "import { createRequire } from 'node:module';",
    'for (const method of ["log", "info", "warn", "error", "debug"]) console[method] = () => {};',
    `createRequire(${JSON.stringify(script)})(${JSON.stringify(script)});`,
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** One per process, shared by every copy of this module (src/ and dist/, a Vitest vm pool's contexts). */
interface EngineState {
  worker: Promise<TesseractWorker> | undefined;
  /** The last job queued: tesseract.js runs one job at a time per worker, so jobs wait their turn here. */
  queue: Promise<unknown>;
  /** Counted for tests and the benchmark: worker starts and images read by the engine. */
  starts: number;
  reads: number;
  /** What the thread threw last, if it crashed. */
  lastError?: Error;
}
const STATE = Symbol.for('vitest-agi.ocr-engine');

function engineState(): EngineState {
  const holder = process as unknown as Record<symbol, EngineState | undefined>;
  let state = holder[STATE];
  if (!state) {
    state = { worker: undefined, queue: Promise.resolve(), starts: 0, reads: 0 };
    holder[STATE] = state;
    // An idle worker is unref'd and dies with the process; this frees it when the event loop drains on its own.
    process.once('beforeExit', () => void stopEngine());
  }
  return state;
}

/** How many times this process started the OCR worker and how many images it read (the cache's misses). */
export function engineStats(): { starts: number; reads: number } {
  const { starts, reads } = engineState();
  return { starts, reads };
}

/**
 * Reads one image (an encoded image file tesseract's Leptonica can open: PGM, PNG, JPEG) with the process's OCR
 * worker, started on first use. `parameters` are tesseract variables for this read only
 * (`tessedit_pageseg_mode`, …). Reads wait for each other: a worker runs one job at a time.
 */
export function recognizeImage(image: Uint8Array, parameters: Record<string, string>): Promise<EngineLine[]> {
  const state = engineState();
  const job = state.queue.then(() => runJob(state, image, parameters));
  state.queue = job.catch(() => undefined);
  return job;
}

async function runJob(state: EngineState, image: Uint8Array, parameters: Record<string, string>): Promise<EngineLine[]> {
  const worker = await startWorker(state);
  state.reads += 1;
  // Held while a job runs, so that a script awaiting its text is not left with an empty event loop.
  worker.worker.ref();
  let onExit = (): void => {};
  try {
    const died = new Promise<never>((_, reject) => {
      onExit = () => reject(new Error(`the OCR worker thread exited during a read${state.lastError ? `: ${state.lastError.message}` : ''}`, { cause: state.lastError }));
      worker.worker.once('exit', onExit);
    });
    const { data } = await Promise.race([worker.recognize(image, parameters, { text: false, blocks: true }), died]);
    return (data.blocks ?? []).flatMap((block) => block.paragraphs.flatMap((paragraph) => paragraph.lines));
  } finally {
    worker.worker.off('exit', onExit);
    worker.worker.unref();
  }
}

function startWorker(state: EngineState): Promise<TesseractWorker> {
  if (state.worker) return state.worker;
  const started = (async () => {
    const { createWorker, langPath, workerPath } = await loadTesseract();
    const worker = await createWorker('eng', 1, {
      langPath,
      workerPath,
      gzip: true,
      // No cache: the data is on disk already, and tesseract.js would otherwise write it into the working directory.
      cacheMethod: 'none',
      // Errors reach us through the job's promise; without a handler tesseract.js also throws them, uncaught.
      errorHandler: () => {},
    });
    // Idle, the thread must not keep the process alive: Vitest and plain scripts exit as if it were not there.
    worker.worker.unref();
    // A thread that crashes emits 'error' and then 'exit': the job waiting on it fails on 'exit' (runJob); without a
    // listener the 'error' would be thrown in the test run.
    worker.worker.on('error', (error) => {
      state.lastError = error;
    });
    worker.worker.once('exit', () => {
      if (state.worker === started) state.worker = undefined;
    });
    state.starts += 1;
    return worker;
  })();
  state.worker = started;
  started.catch(() => {
    if (state.worker === started) state.worker = undefined;
  });
  return started;
}

/** Terminates the OCR worker, if one runs; the next read starts a new one. */
export async function stopEngine(): Promise<void> {
  const state = engineState();
  const running = state.worker;
  state.worker = undefined;
  const worker = await running?.catch(() => undefined);
  await worker?.terminate();
}

async function loadTesseract(): Promise<{ createWorker: CreateWorker; langPath: string; workerPath: URL }> {
  let tesseract: { createWorker?: CreateWorker; default?: { createWorker?: CreateWorker } };
  try {
    tesseract = (await import('tesseract.js')) as unknown as typeof tesseract;
  } catch (error) {
    throw unavailable('tesseract.js', error);
  }
  const createWorker = tesseract.createWorker ?? tesseract.default?.createWorker;
  if (typeof createWorker !== 'function') {
    throw new OcrUnavailableError(`tesseract.js has no createWorker(): vitest-agi needs tesseract.js 7 or newer. Run \`${OCR_INSTALL_COMMAND}\`.`);
  }
  let dataDir: string;
  try {
    // Resolved from where vitest-agi is installed, as the import above is.
    dataDir = path.dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json'));
  } catch (error) {
    throw unavailable('@tesseract.js-data/eng', error);
  }
  const langPath = path.join(dataDir, LANGUAGE_DATA_DIR);
  if (!existsSync(path.join(langPath, 'eng.traineddata.gz'))) {
    throw new OcrUnavailableError(`@tesseract.js-data/eng is installed but holds no ${LANGUAGE_DATA_DIR}/eng.traineddata.gz. Reinstall it: \`${OCR_INSTALL_COMMAND}\`.`);
  }
  return { createWorker, langPath, workerPath: quietWorkerScript(createRequire(import.meta.url).resolve('tesseract.js')) };
}

function unavailable(pkg: string, error: unknown): OcrUnavailableError {
  const code = (error as { code?: string } | null)?.code;
  const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  const reason = missing ? 'is not installed' : `could not be loaded (${(error as Error).message})`;
  return new OcrUnavailableError(
    `Reading text from a screenshot needs the optional peer dependencies tesseract.js and @tesseract.js-data/eng, and ${pkg} ${reason}. Install both: \`${OCR_INSTALL_COMMAND}\`.`,
    { cause: error },
  );
}
