// npm run bench [-- --json FILE] [-- --rounds N]
// Costs every assertion path of vitest-agi against the floor F (Buffer.compare of two equal RGBA frames) and a
// jest-image-snapshot-style reference, on real Chromium JPEGs served over loopback HTTP in the AGI API's JSON shape.
// One process: capture pages → serve them → warm-up round → N interleaved rounds (medians) → 8 concurrent
// assertions → peak RSS of each path in a fresh process → table (+ JSON).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
if (!existsSync(path.join(repo, 'dist/matchers/index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (`npm run bench` does).');
  process.exit(1);
}
const { values: args } = parseArgs({ options: { json: { type: 'string' }, rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(args.rounds);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) {
  console.error(`bench: \`--rounds\` must be a whole number ≥ 1, but is ${JSON.stringify(args.rounds)}.`);
  process.exit(1);
}
const WARMUP_ROUNDS = 1;
const CONCURRENT = 8;
const CONCURRENT_ROUNDS = 3;
const CONCURRENT_CASES = ['pass-unchanged', 'pass-noise', 'fail-changed'];
const ALTERNATIVE_CASES = ['pass-noise', 'fail-changed'];
const RSS_PARALLEL = 2; // children at a time: RSS does not suffer from sharing the cores, the clock would
// Paths that decode, measured again with jpeg-js (`decoder: 'js'`) at the size the targets are set for.
const JS_DECODER_CASES = ['pass-noise', 'fail-changed', 'not-changed'];

const { capturePages, SIZES, PAGES } = await import('./pages.mjs');
const { startApiServer } = await import('./server.mjs');
const { CASES, allRuns, runFiles, apiSessions, writeBaselines, sessionId, casePages } = await import('./cases.mjs');
const { configureProject, recordBaseline, runOurCase, createSteps, timeOurSteps } = await import('./ours.mjs');
const { createReference } = await import('./reference.mjs');
const { median, timeOnce, floorSample, shuffle, mb, describeMachine } = await import('./measure.mjs');
const { startDecodeWorker, alternativeCase } = await import('./alternative.mjs');
const { JPEG_CASES } = await import('./jpeg-bombs.mjs');
const { timeVitestRuns } = await import('./vitest-run.mjs');
const { loadJpegDecoder } = await import('../dist/image/jpeg-decoder.js');
const report = await import('./report.mjs');
const { measureOcrCost, measureOcrAccuracy, measureToShowText, addOcrRatios, formatOcr, OCR_PAGE } = await import('./ocr.mjs');
const OCR_ROUNDS = Math.min(ROUNDS, 3); // each round restarts the OCR worker and reads 3 full screens per size

const started = performance.now();
const loadAverageAtStart = os.loadavg().map((v) => Number(v.toFixed(2)));
const log = (text) => process.stderr.write(`${text}\n`);
const root = await mkdtemp(path.join(os.tmpdir(), 'vitest-agi-bench-'));
let server;
try {
  log(`bench: shooting ${PAGES.length} pages × ${SIZES.length} sizes with Chromium (load average ${loadAverageAtStart[0]})…`);
  const { shots, chromium } = await capturePages();
  const deterministic = Object.values(shots).flatMap((p) => Object.values(p)).every((x) => x.again.equals(x.base));
  log(`bench: shots took ${seconds(started)} s; every page shot twice gave byte-identical JPEGs: ${deterministic}`);
  server = await startApiServer(apiSessions(shots));
  configureProject(root);
  await writeBaselines(root, shots, server.baseUrl);
  const decoders = { wasm: await loadJpegDecoder('wasm'), js: await loadJpegDecoder('js') };
  const stepsBy = { wasm: createSteps(server.baseUrl, decoders.wasm), js: createSteps(server.baseUrl, decoders.js) };
  const steps = stepsBy.wasm;
  const reference = createReference(server.baseUrl);
  const big = SIZES.at(-1).name;
  const runs = [
    ...allRuns().map((run) => ({ ...run, decoder: 'wasm' })),
    ...allRuns().filter((run) => JS_DECODER_CASES.includes(run.c.name) && run.size === big).map((run) => ({ ...run, decoder: 'js' })),
  ].map((run) => {
    const refKey = `${run.c.name}/${run.size}/${run.page}`;
    return { ...run, refKey, key: run.decoder === 'wasm' ? refKey : `${refKey}/js`, files: runFiles(root, run) };
  });

  // Two equal RGBA frames per size (a real decoded page, and a copy) for the floor.
  const frames = Object.fromEntries(
    SIZES.map((s) => {
      const a = Buffer.from(steps.decode(shots[s.name].text.base).data);
      return [s.name, [a, Buffer.from(a)]];
    }),
  );

  const tasks = [
    ...runs.flatMap((run) => [
      // Our assertion and its library calls timed alone, back to back (order alternating by round): the overhead is
      // the median of their paired differences, which a busy neighbour disturbs far less than two separate medians.
      {
        id: run.key,
        pair: true,
        ours: () => runOurCase(run.c, { root, baseUrl: server.baseUrl, sessionId: run.files.sessionId, name: run.files.name, decoder: run.decoder }),
        steps: () => timeOurSteps(stepsBy[run.decoder], run.c, run.files),
      },
      ...(run.decoder === 'wasm' ? [{ id: `reference/${run.key}`, do: () => reference.assert(run.c, run.files) }] : []),
    ]),
    ...SIZES.map((s) => ({ id: `floor/${s.name}`, floor: () => floorSample(...frames[s.name]) })),
  ];

  // The best alternative with the chosen libraries for the targets jpeg-js misses: baseline and capture decoded at
  // the same time, the baseline in a worker thread (alternative.mjs); at the size the targets are set for.
  const decodeWorker = await startDecodeWorker();
  const alternativeRuns = runs.filter((r) => ALTERNATIVE_CASES.includes(r.c.name) && r.size === big && r.decoder === 'wasm');
  for (const run of alternativeRuns) {
    tasks.push({ id: `alternative/${run.key}`, do: () => alternativeCase(run.c, { steps, worker: decodeWorker, files: run.files }) });
  }

  log(`bench: ${tasks.length} tasks a round, ${WARMUP_ROUNDS} warm-up + ${ROUNDS} rounds, order shuffled each round…`);
  const samples = new Map(); // id → [{ ms, cpuMs }…] (steps: id/step → […])
  const verdicts = new Map();
  const add = (id, sample) => samples.set(id, [...(samples.get(id) ?? []), sample]);
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const warm = round < WARMUP_ROUNDS;
    const roundStart = performance.now();
    for (const task of shuffle(tasks, round + 1)) {
      if (task.floor) {
        const sample = task.floor();
        if (!warm) add(task.id, sample);
      } else if (task.pair) {
        let ours;
        let timings;
        if (round % 2) ours = await timeOnce(task.ours);
        timings = await task.steps();
        if (!(round % 2)) ours = await timeOnce(task.ours);
        if (warm) {
          verdicts.set(`ours/${task.id}`, ours.result);
          continue;
        }
        add(`ours/${task.id}`, { ms: ours.ms, cpuMs: ours.cpuMs });
        for (const [name, sample] of Object.entries(timings)) add(`steps/${task.id}/${name}`, sample);
        const library = Object.values(timings);
        add(`overhead/${task.id}`, { ms: ours.ms - sum(library.map((x) => x.ms)), cpuMs: ours.cpuMs - sum(library.map((x) => x.cpuMs)) });
      } else {
        const { ms, cpuMs, result } = await timeOnce(task.do);
        if (warm) verdicts.set(task.id, result);
        else add(task.id, { ms, cpuMs });
      }
    }
    if (warm) checkVerdicts(runs, verdicts);
    log(`bench: ${warm ? 'warm-up round' : `round ${round - WARMUP_ROUNDS + 1}/${ROUNDS}`} took ${seconds(roundStart)} s (load average ${os.loadavg()[0].toFixed(1)})`);
  }
  await decodeWorker.terminate();

  // 8 concurrent assertions in one worker (one process, one event loop), 1920×1080, pages in turn.
  const concurrentStart = performance.now();
  const concurrentRuns = await prepareConcurrentRuns(big);
  const concurrentSamples = new Map();
  for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
    for (const name of shuffle(CONCURRENT_CASES, 100 + round)) {
      const c = CASES.find((x) => x.name === name);
      const sample = await timeOnce(() => Promise.all(concurrentRuns[name].map((r) => runOurCase(c, { root, baseUrl: server.baseUrl, ...r }))));
      concurrentSamples.set(name, [...(concurrentSamples.get(name) ?? []), sample]);
    }
  }
  log(`bench: ${CONCURRENT} concurrent assertions took ${seconds(concurrentStart)} s; peak RSS of each path in a fresh process…`);
  const rssStart = performance.now();

  // Peak RSS: one fresh process per path and pipeline.
  const rssJobs = [
    ...runs.flatMap((run) => (run.decoder === 'wasm' ? ['ours', 'reference'] : ['ours']).map((kind) => ({ id: `${kind}/${run.key}`, input: { kind, case: run.c.name, size: run.size, page: run.page, decoder: run.decoder } }))),
    ...CONCURRENT_CASES.map((name) => ({ id: `concurrent/${name}`, input: { kind: 'concurrent', case: name, size: big, page: 'text', runs: concurrentRuns[name] } })),
    ...alternativeRuns.map((run) => ({ id: `alternative/${run.key}`, input: { kind: 'alternative', case: run.c.name, size: run.size, page: run.page } })),
    // The library's own share: one decode of the capture, nothing else.
    ...runs.filter((r) => r.c.name === 'pass-noise').map((run) => ({ id: `decode/${run.key}`, input: { kind: 'decode', case: run.c.name, size: run.size, page: run.page, decoder: run.decoder } })),
  ];
  // JPEG bombs and the largest images allowed, each decoded alone in a fresh process.
  rssJobs.push(...JPEG_CASES.flatMap((j) => ['wasm', 'js'].map((decoder) => ({ id: `jpeg/${j.name}/${decoder}`, input: { kind: 'jpeg', jpegCase: j.name, decoder } }))));
  const rss = new Map();
  await runPool(rssJobs, RSS_PARALLEL, async (job) => rss.set(job.id, await measureRss({ ...job.input, root, baseUrl: server.baseUrl })));
  log(`bench: ${rssJobs.length} RSS processes took ${seconds(rssStart)} s`);
  const wrongInChildren = rssJobs.filter((job) => !['decode', 'jpeg'].includes(job.input.kind) && [rss.get(job.id).result].flat().some((v) => v !== CASES.find((c) => c.name === job.input.case).expect));
  if (wrongInChildren.length) throw new Error(`bench: wrong verdicts in the RSS processes: ${wrongInChildren.map((job) => `${job.id} ${rss.get(job.id).result}`).join(', ')}`);

  await Promise.all([stepsBy.wasm.close(), stepsBy.js.close(), reference.close()]);

  // The whole thing as a user runs it: `vitest run` of a project of 1920×1080 assertions, once per decoder.
  log('bench: timing `vitest run` of a 1920×1080 suite with each decoder…');
  const vitestRuns = await timeVitestRuns({ root, baseUrl: server.baseUrl, shots, size: big });

  // OCR last: its worker thread would take a core from the rounds above.
  const ocrStart = performance.now();
  const ocr = await measureOcrCost(shots, SIZES, OCR_ROUNDS);
  ocr.toShowText = await measureToShowText({ root, baseUrl: server.baseUrl, sessionIdOf: (size) => sessionId(OCR_PAGE, size, 'base'), sizes: SIZES, rounds: OCR_ROUNDS });
  ocr.accuracy = await measureOcrAccuracy();
  log(`bench: OCR cost (${OCR_ROUNDS} rounds) and accuracy took ${seconds(ocrStart)} s`);

  // Assemble.
  const wall = (id) => median(samples.get(id).map((x) => x.ms));
  const cpu = (id) => median(samples.get(id).map((x) => x.cpuMs));
  const floorMs = Object.fromEntries(SIZES.map((s) => [s.name, wall(`floor/${s.name}`)]));
  const floorCpuMs = Object.fromEntries(SIZES.map((s) => [s.name, cpu(`floor/${s.name}`)]));
  const frameBytes = Object.fromEntries(SIZES.map((s) => [s.name, s.width * s.height * 4]));
  const extra = (m, size) => ({ peakRssMb: mb(m.peakRss), restingRssMb: mb(m.restingRss), extraRssMb: mb(m.peakRss - m.restingRss), extraRssFrames: (m.peakRss - m.restingRss) / frameBytes[size] });
  const cases = runs.map((run) => {
    const ms = wall(`ours/${run.key}`);
    const cpuMs = cpu(`ours/${run.key}`);
    const referenceMs = wall(`reference/${run.refKey}`);
    const referenceCpuMs = cpu(`reference/${run.refKey}`);
    const stepsId = (name) => `steps/${run.key}/${name}`;
    const steps = Object.fromEntries(run.c.steps.map((name) => [name, { ms: wall(stepsId(name)), cpuMs: cpu(stepsId(name)) }]));
    const libraryMs = sum(Object.values(steps).map((x) => x.ms));
    const libraryCpuMs = sum(Object.values(steps).map((x) => x.cpuMs));
    const ours = extra(rss.get(`ours/${run.key}`), run.size);
    const ref = extra(rss.get(`reference/${run.refKey}`), run.size);
    const alternativeId = `alternative/${run.key}`;
    const alternative = samples.has(alternativeId)
      ? {
          alternativeMs: wall(alternativeId),
          alternativeRatioToFloor: wall(alternativeId) / floorMs[run.size],
          alternativeRatioToReference: wall(alternativeId) / referenceMs,
          alternativeExtraRssFrames: extra(rss.get(alternativeId), run.size).extraRssFrames,
        }
      : {};
    const decode = rss.get(`decode/${run.key}`);
    return {
      name: run.c.name,
      size: run.size,
      page: run.page,
      decoder: run.decoder,
      ms,
      ratioToFloor: ms / floorMs[run.size],
      referenceMs,
      ratioToReference: ms / referenceMs,
      ...ours,
      cpuMs,
      cpuRatioToFloor: cpuMs / floorCpuMs[run.size],
      referenceCpuMs,
      cpuRatioToReference: cpuMs / referenceCpuMs,
      referencePeakRssMb: ref.peakRssMb,
      referenceExtraRssMb: ref.extraRssMb,
      libraryMs,
      overheadMs: wall(`overhead/${run.key}`),
      overheadRatio: wall(`overhead/${run.key}`) / libraryMs,
      libraryCpuMs,
      overheadCpuMs: cpu(`overhead/${run.key}`),
      overheadCpuRatio: cpu(`overhead/${run.key}`) / libraryCpuMs,
      steps,
      ...alternative,
      ...(decode ? { oneDecodeExtraRssFrames: extra(decode, run.size).extraRssFrames } : {}),
      verdict: describeVerdict(verdicts.get(`ours/${run.key}`)),
      referenceVerdict: describeVerdict(verdicts.get(`reference/${run.refKey}`)),
      expected: run.c.expect,
      jpegBytes: shots[run.size][run.page][run.c.served]?.length,
      bodyBytes: server.bodyBytes(run.files.sessionId),
      samples: samples.get(`ours/${run.key}`).length,
    };
  });
  const concurrent = CONCURRENT_CASES.map((name) => {
    const wallMs = median(concurrentSamples.get(name).map((x) => x.ms));
    const cpuMs = median(concurrentSamples.get(name).map((x) => x.cpuMs));
    const single = cases.filter((x) => x.name === name && x.size === big && x.decoder === 'wasm');
    const sequentialMs = sum(concurrentRuns[name].map((r) => single.find((x) => x.page === r.page).ms));
    const m = rss.get(`concurrent/${name}`);
    return {
      name, size: big, assertions: CONCURRENT, wallMs, cpuMs, perAssertionMs: wallMs / CONCURRENT, sequentialMs, ratioToSequential: wallMs / sequentialMs,
      ...extra(m, big),
      verdicts: m.result,
    };
  });
  const jpegCases = JPEG_CASES.flatMap((j) => ['wasm', 'js'].map((decoder) => {
    const m = rss.get(`jpeg/${j.name}/${decoder}`);
    return { name: j.name, decoder, expect: j.expect, result: m.result, ms: m.ms, jpegBytes: m.jpegBytes, peakRssMb: mb(m.peakRss), extraRssMb: mb(m.peakRss - m.restingRss) };
  }));
  const machine = {
    ...describeMachine(loadAverageAtStart),
    chromium,
    libraries: Object.fromEntries(await Promise.all(['jpeg-js', '@jsquash/jpeg', 'pngjs', 'pixelmatch', 'undici', 'playwright-core', 'vitest', 'tesseract.js', '@tesseract.js-data/eng'].map(async (name) => [name, JSON.parse(await readFile(path.join(repo, 'node_modules', name, 'package.json'), 'utf8')).version]))),
  };
  addOcrRatios(ocr, floorMs, Object.fromEntries(SIZES.map((s) => [s.name, cases.find((x) => x.name === 'page-only' && x.size === s.name && x.page === OCR_PAGE).ms])));
  const result = { machine, rounds: ROUNDS, warmupRounds: WARMUP_ROUNDS, durationS: (performance.now() - started) / 1000, samePageSameBytes: deterministic, floorMs, floorCpuMs, cases, concurrent, jpegCases, vitestRuns, ocr };
  result.targets = report.evaluateTargets(result, big);
  process.stdout.write(report.formatReport(result));
  process.stdout.write(formatOcr(ocr));
  if (args.json) {
    await writeFile(args.json, `${JSON.stringify(result, null, 2)}\n`);
    log(`bench: wrote ${args.json}`);
  }

  /** Eight assertions with their own baselines, the three pages in turn. */
  async function prepareConcurrentRuns(size) {
    const out = {};
    for (const name of CONCURRENT_CASES) {
      const c = CASES.find((x) => x.name === name);
      out[name] = [];
      for (let i = 0; i < CONCURRENT; i++) {
        const page = casePages(c)[i % casePages(c).length];
        const copyName = `${runFiles(root, { c, size, page }).name}-c${i}`;
        await recordBaseline({ root, baseUrl: server.baseUrl, sessionId: sessionId(page, size, c.baseline), name: copyName });
        out[name].push({ page, sessionId: sessionId(page, size, c.served), name: copyName });
      }
    }
    return out;
  }
} finally {
  await server?.close();
  await rm(root, { recursive: true, force: true });
}

function sum(values) {
  return values.reduce((total, v) => total + v, 0);
}

function seconds(since) {
  return ((performance.now() - since) / 1000).toFixed(1);
}

/** Both pipelines must reach the verdict each path is about, or their times mean nothing: stop. */
function checkVerdicts(runs, verdicts) {
  const wrong = [];
  for (const run of runs) {
    for (const pipeline of ['ours', 'reference', 'alternative']) {
      const result = verdicts.get(`${pipeline}/${run.key}`);
      // A refusal must be ours (the size check), not any error.
      const refused = pipeline !== 'ours' || run.c.expect !== 'threw' || result?.threw === 'AGI_INVALID_SCREENSHOT';
      if (result && (describeVerdict(result) !== run.c.expect || !refused)) {
        wrong.push(`${pipeline} ${run.key}: expected ${run.c.expect}, got ${describeVerdict(result)}${result.message || result.threw ? `: ${result.message ?? result.threw}` : ''}`);
      }
    }
  }
  if (wrong.length) throw new Error(`bench: wrong verdicts, so the times would mean nothing:\n  ${wrong.join('\n  ')}`);
}

function describeVerdict(result) {
  if (!result) return 'none';
  if (result.threw) return 'threw';
  return result.failed ? 'fail' : 'pass';
}

async function runPool(jobs, width, work) {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await work(job);
  }));
}

function measureRss(input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path.join(here, 'rss-child.mjs'), JSON.stringify(input)], { cwd: input.root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench: RSS child for ${input.kind} ${input.case} ${input.size} ${input.page} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}
