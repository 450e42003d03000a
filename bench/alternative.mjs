// The best alternative measured: the same library calls as our pipeline (wasm decoder), but the baseline JPEG is
// decoded in a worker thread while the main thread decodes the capture (2 cores → ~1 decode of wall time). A long-lived worker, started once per process as a matcher would keep one per Vitest worker.
import { Worker } from 'node:worker_threads';
import { DEFAULT_OPTIONS } from '../dist/index.js';

export async function startDecodeWorker() {
  const worker = new Worker(new URL('./decode-worker.mjs', import.meta.url));
  const pending = new Map();
  let nextId = 0;
  worker.on('message', ({ id, error, ...image }) => {
    const { resolve, reject } = pending.get(id);
    pending.delete(id);
    if (error) reject(new Error(error));
    else resolve(image);
  });
  const decode = (bytes) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, bytes });
    });
  await decode(Buffer.alloc(0)).catch(() => {}); // wait until the worker has loaded its decoder
  return { decode, terminate: () => worker.terminate() };
}

/** Library calls of case `c` (pass-noise or fail-changed) with the two decodes overlapped. */
export async function alternativeCase(c, { steps, worker, files }) {
  const json = await steps.fetch(files.sessionId);
  const bytes = steps.base64(json);
  const stored = await steps.read(files.baseline);
  if (steps.equals(bytes, stored)) return { failed: c.isNot };
  const pendingBaseline = worker.decode(stored);
  const actual = steps.decode(bytes);
  const baseline = await pendingBaseline;
  const count = steps.compare(baseline, actual);
  const failed = count > DEFAULT_OPTIONS.maxDiffPixels !== c.isNot;
  if (failed) {
    const png = steps.encode(steps.compareWithDiff(baseline, actual));
    await steps.write([[files.actual, bytes], [files.diff, png]]);
  } else {
    await steps.remove([files.actual, files.diff]);
  }
  return { failed, count };
}
