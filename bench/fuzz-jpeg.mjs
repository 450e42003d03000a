// node bench/fuzz-jpeg.mjs [--cases 3000] [--seed 10] [--decoder wasm|js] [--dist DIR]   (after `npm run build`; --dist: another build, to compare)
// The JPEG fuzz test's cases (bench/jpeg-fuzz.mjs) at a larger count, through dist/: for each case the wall time and
// the peak RSS above the resting RSS (Linux VmHWM, reset before each case), and any outcome other than "decoded to
// its header's size" or "refused with InvalidScreenshotError". Prints the worst cases.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mutateJpegs } from './jpeg-fuzz.mjs';
import { mb } from './measure.mjs';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values: args } = parseArgs({ options: { cases: { type: 'string', default: '3000' }, seed: { type: 'string', default: '10' }, decoder: { type: 'string', default: 'wasm' }, dist: { type: 'string' } } });
const dist = path.resolve(args.dist ?? path.join(repo, 'dist'));
const { Screenshot } = await import(path.join(dist, 'image/screenshot.js'));
const { loadJpegDecoder } = await import(path.join(dist, 'image/jpeg-decoder.js'));
const decoder = await loadJpegDecoder(args.decoder);
const { InvalidScreenshotError } = await import(path.join(dist, 'errors.js'));
const fixtures = Object.fromEntries(
  ['docs.jpg', 'docs-640x360.jpg', 'form.jpg', 'thanks.jpg'].map((name) => [name, readFileSync(path.join(repo, 'test/fixtures/shots', name))]),
);
const cases = mutateJpegs(fixtures, { count: Number(args.cases), seed: Number(args.seed) });

const rows = [];
const wrong = [];
for (const { name, bytes } of cases) {
  globalThis.gc?.();
  resetPeak();
  const resting = process.memoryUsage().rss;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let outcome;
  try {
    const shot = new Screenshot({ bytes, url: 'about:blank', title: '' });
    const { width, height, data } = shot.pixelsWith(decoder);
    outcome = width === shot.width && height === shot.height && data.length === width * height * 4 ? 'decoded' : `wrong size ${width}×${height}`;
  } catch (error) {
    outcome = error instanceof InvalidScreenshotError ? 'refused' : `${error.name}: ${error.message}`;
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  rows.push({ name, ms, cpuMs: (used.user + used.system) / 1000, extraMb: mb(readPeakBytes() - resting), outcome });
  if (outcome !== 'decoded' && outcome !== 'refused') wrong.push(`${name}: ${outcome}`);
}

const worst = (key) => [...rows].sort((a, b) => b[key] - a[key]).slice(0, 5);
const count = (outcome) => rows.filter((r) => r.outcome === outcome).length;
console.log(`${rows.length} cases (seed ${args.seed}, ${decoder.name} decoder): ${count('decoded')} decoded, ${count('refused')} refused, ${wrong.length} other.`);
console.log(`total ${(rows.reduce((t, r) => t + r.ms, 0) / 1000).toFixed(1)} s; worst time ${worst('ms')[0].ms.toFixed(0)} ms (CPU ${worst('cpuMs')[0].cpuMs.toFixed(0)} ms); worst peak ${worst('extraMb')[0].extraMb.toFixed(1)} MB above resting (${mb(process.resourceUsage().maxRSS * 1024).toFixed(0)} MB process peak).`);
for (const key of ['ms', 'extraMb']) for (const r of worst(key)) console.log(`  ${key === 'ms' ? `${r.ms.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)})` : `${r.extraMb.toFixed(1)} MB`}  ${r.outcome}  ${r.name}`);
for (const line of wrong) console.log(`  WRONG ${line}`);
process.exitCode = wrong.length ? 1 : 0;

function resetPeak() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: the peak below is then the process's peak so far
  }
}

function readPeakBytes() {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return Number.parseInt(line.slice(6), 10) * 1024;
  } catch {
    return process.resourceUsage().maxRSS * 1024;
  }
}
