// Timing primitives: a clock, medians, the floor F, a seeded shuffle for interleaving, and the machine they ran on.
import os from 'node:os';

/** The machine a bench ran on, as both benches report it. */
export function describeMachine(loadAverageAtStart) {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}`,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    loadAverageAtStart,
    loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
}

export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Wall time and process CPU time of one (async) call, in ms. No collection is forced in between: paths run in a
 * shuffled order and each pays the garbage collection its allocations cause, as in a running test suite (a forced
 * full collection before each would make the next large allocation slower than it ever is in a suite).
 * CPU time is kept because the machine is shared: a busy neighbour stretches the wall clock of CPU-bound work far
 * more than its CPU time.
 */
export async function timeOnce(fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, result };
}

/**
 * The floor F: `Buffer.compare` of two equal RGBA frames, cache-hot (three untimed calls first),
 * the median of `calls` timed calls. `sink` keeps the result observable so the work cannot be skipped.
 */
export function floorSample(a, b, calls = 15) {
  let sink = 0;
  for (let i = 0; i < 3; i++) sink += Buffer.compare(a, b);
  const times = [];
  const cpuTimes = [];
  for (let i = 0; i < calls; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    sink += Buffer.compare(a, b);
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  if (sink !== 0) throw new Error('bench: the floor frames differ');
  return { ms: median(times), cpuMs: median(cpuTimes) };
}

/** A small seeded generator (mulberry32): numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with a seeded generator, so a run's order can be repeated. */
export function shuffle(items, seed) {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export const mb = (bytes) => bytes / 1024 / 1024;
