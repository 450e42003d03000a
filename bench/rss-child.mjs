// Peak RSS of one path, in a fresh process: load everything, settle, note the resting RSS, run the path,
// report the peak. Spawned by index.mjs with cwd = the bench's project root; prints one JSON line.
//   node --expose-gc bench/rss-child.mjs '{"kind":…,"case":…,"size":…,"page":…,"root":…,"baseUrl":…}'
// kind: ours | reference | concurrent (8 of ours at once) | alternative (alternative.mjs) | decode (one decode alone)
//       | jpeg (one of jpeg-bombs.mjs JPEG_CASES, read and decoded as a Screenshot; no server or baseline needed)
// decoder: 'wasm' (default) | 'js', the `decoder` option. It is loaded, and has decoded one frame of the path's size,
// before the resting RSS is taken, as in a Vitest worker for every assertion after its first (once per worker).
//
// The peak is Linux's VmHWM, reset to the resting RSS just before the path runs (/proc/self/clear_refs, "5").
// process.resourceUsage().maxRSS cannot be used for a child: Linux carries the parent's peak across fork+exec
// into the child's ru_maxrss, so every child would report at least the bench's own RSS. Elsewhere we fall back to it.
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CASES, runFiles } from './cases.mjs';
import { configureProject, createSteps, runOurCase } from './ours.mjs';
import { createReference } from './reference.mjs';
import { startDecodeWorker, alternativeCase } from './alternative.mjs';
import { loadJpegDecoder } from '../dist/image/jpeg-decoder.js';

const WARM_DECODES = 5;
const input = JSON.parse(process.argv[2]);
const decoder = await loadJpegDecoder(input.decoder ?? 'wasm');
if (input.kind === 'jpeg') await measureJpegCase(input.jpegCase);
const c = CASES.find((x) => x.name === input.case);
const files = runFiles(input.root, { c, size: input.size, page: input.page });
configureProject(input.root, decoder.name);
const reference = createReference(input.baseUrl);
const steps = createSteps(input.baseUrl, decoder);

let run;
switch (input.kind) {
  case 'ours':
    run = () => runOurCase(c, { root: input.root, baseUrl: input.baseUrl, sessionId: files.sessionId, name: files.name, decoder: decoder.name });
    break;
  case 'reference':
    run = () => reference.assert(c, files);
    break;
  case 'concurrent': // several assertions at once in this one process, as `test.concurrent` runs them in one Vitest worker
    run = () => Promise.all(input.runs.map((r) => runOurCase(c, { root: input.root, baseUrl: input.baseUrl, ...r })));
    break;
  case 'alternative': {
    const worker = await startDecodeWorker();
    run = async () => {
      const result = await alternativeCase(c, { steps, worker, files });
      await worker.terminate();
      return result;
    };
    break;
  }
  case 'decode': {
    const bytes = steps.base64(await steps.fetch(files.sessionId));
    run = () => ({ failed: steps.decode(bytes).width === 0 });
    break;
  }
  default:
    throw new Error(`bench: unknown kind ${input.kind}`);
}

// A worker in its steady state, as for every assertion after its first few: the decoder has decoded frames of this
// size (the wasm module's memory has grown to fit one and stays so; V8 has optimised its code in the background,
// which costs tens of MB while it runs). One decode alone (kind decode) shows the cold first decode instead.
if (input.kind !== 'decode' && c.steps.includes('decodeBaseline')) {
  const stored = await steps.read(files.baseline);
  for (let i = 0; i < WARM_DECODES; i++) steps.decode(stored);
  await sleep(500);
}
globalThis.gc?.();
await sleep(20);
globalThis.gc?.();
const resetPeak = tryResetPeak();
const restingRss = process.memoryUsage().rss;
const result = await run();
const peakRss = resetPeak ? readStatusKb('VmHWM') * 1024 : process.resourceUsage().maxRSS * 1024;
await Promise.all([reference.close(), steps.close()]);
const summarise = (r) => (r.threw ? 'threw' : r.failed ? 'fail' : 'pass');
process.stdout.write(`${JSON.stringify({ restingRss, peakRss, peakSource: resetPeak ? 'VmHWM' : 'maxRSS', result: Array.isArray(result) ? result.map(summarise) : summarise(result) })}\n`);
// Our client's keep-alive pool is process-wide and not closable from outside: end here rather than wait it out.
process.exit(0);

/** A JPEG_CASES entry: made before the peak is reset, then read and decoded as a capture would be. Exits. */
async function measureJpegCase(name) {
  const { JPEG_CASES } = await import('./jpeg-bombs.mjs');
  const { Screenshot } = await import('../dist/image/screenshot.js');
  const { InvalidScreenshotError } = await import('../dist/errors.js');
  const bytes = JPEG_CASES.find((c) => c.name === name).make(readFileSync(new URL('../test/fixtures/shots/docs.jpg', import.meta.url)));
  globalThis.gc?.();
  const resetPeak = tryResetPeak();
  const restingRss = process.memoryUsage().rss;
  const started = performance.now();
  let result;
  try {
    const { width, height } = new Screenshot({ bytes, url: 'about:blank', title: '' }).pixelsWith(decoder);
    result = `decoded ${width}×${height}`;
  } catch (error) {
    result = error instanceof InvalidScreenshotError ? 'refused' : `${error.name}: ${error.message}`;
  }
  const ms = performance.now() - started;
  const peakRss = resetPeak ? readStatusKb('VmHWM') * 1024 : process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ restingRss, peakRss, ms, result, jpegBytes: bytes.length })}\n`);
  process.exit(0);
}

function tryResetPeak() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return readStatusKb('VmHWM') > 0;
  } catch {
    return false;
  }
}

function readStatusKb(field) {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return line ? Number.parseInt(line.slice(field.length + 1), 10) : 0;
}
