// The issue's targets checked against a result, and the printed tables.

const STEP_ORDER = ['fetch', 'base64', 'read', 'equals', 'decodeBaseline', 'decodeActual', 'compare', 'compareWithDiff', 'encode', 'write', 'remove'];

/**
 * The targets, at the largest size, each judged on its worst page. Time targets are judged on the wall clock (the
 * issue's measure) and, because the machine is shared, also on process CPU time (`cpu`); where an alternative was
 * measured it is shown beside.
 */
export function evaluateTargets(result, size) {
  // Judged on the default decoder (wasm); jpeg-js, where measured, is shown beside.
  const at = (name) => result.cases.filter((c) => c.name === name && c.size === size && (c.decoder ?? 'wasm') === 'wasm');
  const jsAt = (name) => result.cases.filter((c) => c.name === name && c.size === size && c.decoder === 'js');
  const judge = (rows, value, limit) => {
    if (rows.some((c) => value(c) === undefined)) return undefined;
    const worst = rows.reduce((w, c) => (value(c) > value(w) ? c : w));
    return { value: value(worst), page: worst.page, met: value(worst) <= limit };
  };
  const target = (id, text, name, limit, measures) => {
    const rows = at(name);
    const out = { id, target: text, case: name, limit };
    for (const [key, value] of Object.entries(measures)) {
      const judged = judge(rows, value, limit);
      if (judged) out[key] = judged;
    }
    const js = jsAt(name);
    if (js.length && measures.wall) out.js = judge(js, measures.wall, limit);
    out.met = out.wall.met;
    return out;
  };
  const names = [...new Set(result.cases.map((c) => c.name))];
  const bombs = (result.jpegCases ?? []).filter((j) => j.expect === 'refused');
  const worstBomb = bombs.reduce((w, j) => (w === undefined || j.extraRssMb > w.extraRssMb ? j : w), undefined);
  const bombTarget = worstBomb && {
    id: 'jpeg-bomb-rss', target: 'JPEG bombs (several frame headers, more pixels than data) refused with < 50 MB extra RSS', limit: 50,
    wall: { value: worstBomb.extraRssMb, page: worstBomb.name, met: bombs.every((j) => j.result === 'refused') && worstBomb.extraRssMb < 50 },
    met: bombs.every((j) => j.result === 'refused') && worstBomb.extraRssMb < 50,
  };
  return [
    target('unchanged-floor', 'pass unchanged ≤ 10× F', 'pass-unchanged', 10, { wall: (c) => c.ratioToFloor, cpu: (c) => c.cpuRatioToFloor }),
    target('noise-floor', 'pass with noise (caret) ≤ 150× F', 'pass-noise', 150, { wall: (c) => c.ratioToFloor, cpu: (c) => c.cpuRatioToFloor, alternative: (c) => c.alternativeRatioToFloor }),
    target('noise-reference', 'pass with noise (caret) ≤ 0.3× reference', 'pass-noise', 0.3, { wall: (c) => c.ratioToReference, cpu: (c) => c.cpuRatioToReference, alternative: (c) => c.alternativeRatioToReference }),
    target('noise-overhead', 'pass with noise: our overhead ≤ 10 % of the library calls', 'pass-noise', 0.1, { wall: (c) => c.overheadRatio, cpu: (c) => c.overheadCpuRatio }),
    target('fail-reference', 'fail with a diff written ≤ 0.5× reference', 'fail-changed', 0.5, { wall: (c) => c.ratioToReference, cpu: (c) => c.cpuRatioToReference, alternative: (c) => c.alternativeRatioToReference }),
    target('bomb-time', '60000×60000 header refused in < 50 ms', 'refuse-bomb', 50, { wall: (c) => c.ms, cpu: (c) => c.cpuMs }),
    target('bomb-rss', '60000×60000 header refused with < 50 MB extra RSS', 'refuse-bomb', 50, { wall: (c) => c.extraRssMb }),
    ...names.map((name) =>
      target(`rss-${name}`, `peak RSS of one ${name} assertion ≤ 4 RGBA frames above resting`, name, 4, {
        wall: (c) => c.extraRssFrames,
        alternative: (c) => c.alternativeExtraRssFrames,
        oneDecode: (c) => c.oneDecodeExtraRssFrames,
      }),
    ),
    ...(bombTarget ? [bombTarget] : []),
  ];
}

export function formatReport(result) {
  const lines = [];
  const m = result.machine;
  lines.push(`vitest-agi bench — Node ${m.node}, ${m.cpu}, ${m.memoryGb} GB, Chromium ${m.chromium}; @jsquash/jpeg ${m.libraries['@jsquash/jpeg']}, jpeg-js ${m.libraries['jpeg-js']}, pngjs ${m.libraries.pngjs}, pixelmatch ${m.libraries.pixelmatch}, undici ${m.libraries.undici}`);
  lines.push(`${result.rounds} interleaved rounds after ${result.warmupRounds} warm-up, medians; load average ${m.loadAverageAtStart[0]} at the start, ${m.loadAverageAtEnd[0]} at the end; ${result.durationS.toFixed(0)} s in all.`);
  lines.push(`Floor F = Buffer.compare of two equal RGBA frames: ${Object.keys(result.floorMs).map((s) => `${s} ${fmt(result.floorMs[s])} ms (cpu ${fmt(result.floorCpuMs[s])})`).join(', ')}.`);
  lines.push('dec = the `decoder` option (wasm: @jsquash/jpeg, the default; js: jpeg-js); ms = wall clock; cpu = process CPU time (less disturbed by a busy neighbour); ref = jest-image-snapshot-style pipeline;');
  lines.push('Σ lib = our library calls timed alone; overhead = median of (ours − Σ lib) timed back to back; peak MB = peak RSS of the path');
  lines.push('in a fresh process, +MB = above that process\'s resting RSS, frames = +MB in RGBA frames of that size.');
  lines.push('');
  const head = ['size', 'page', 'case', 'dec', 'ms', '×F', 'ref ms', '×ref', 'cpu ms', 'cpu ×F', 'cpu ×ref', 'Σ lib ms', 'overhead', 'peak MB', '+MB', 'frames', 'ref +MB', 'verdict'];
  const rows = result.cases.map((c) => [
    c.size, c.page, c.name, c.decoder ?? 'wasm', fmt(c.ms), fmt(c.ratioToFloor), fmt(c.referenceMs), fmt(c.ratioToReference),
    fmt(c.cpuMs), fmt(c.cpuRatioToFloor), fmt(c.cpuRatioToReference), fmt(c.libraryMs), `${fmt(c.overheadMs)} (${pct(c.overheadRatio)})`,
    c.peakRssMb.toFixed(0), c.extraRssMb.toFixed(1), c.extraRssFrames.toFixed(2), c.referenceExtraRssMb.toFixed(1),
    c.verdict === c.expected ? c.verdict : `${c.verdict}≠${c.expected}!`,
  ]);
  lines.push(...table(head, rows));
  lines.push('');
  lines.push('Our pipeline step by step: each library call timed alone on the same inputs (wall ms, medians):');
  const stepRows = result.cases
    .filter((c) => Object.keys(c.steps).length > 1)
    .map((c) => [c.size, c.page, c.name, c.decoder ?? 'wasm', ...STEP_ORDER.map((s) => (c.steps[s] === undefined ? '' : fmt(c.steps[s].ms)))]);
  lines.push(...table(['size', 'page', 'case', 'dec', ...STEP_ORDER], stepRows));
  lines.push('');
  const alternatives = result.cases.filter((c) => c.alternativeMs !== undefined);
  if (alternatives.length) {
    lines.push('Best alternative measured: the baseline decoded (wasm) in a worker thread while the capture decodes (library calls only):');
    lines.push(...table(['size', 'page', 'case', 'ours ms', 'alt ms', 'alt ×F', 'alt ×ref', 'alt frames'], alternatives.map((c) => [c.size, c.page, c.name, fmt(c.ms), fmt(c.alternativeMs), fmt(c.alternativeRatioToFloor), fmt(c.alternativeRatioToReference), c.alternativeExtraRssFrames.toFixed(2)])));
    lines.push('');
  }
  const conc = result.concurrent;
  lines.push(`${conc[0]?.assertions ?? 8} concurrent assertions in one process (${conc[0]?.size}, the three pages in turn):`);
  lines.push(...table(['case', 'wall ms', 'per assertion', 'one after another', '×', '+RSS MB', 'frames', 'verdicts'], conc.map((c) => [c.name, fmt(c.wallMs), fmt(c.perAssertionMs), fmt(c.sequentialMs), fmt(c.ratioToSequential), c.extraRssMb.toFixed(1), c.extraRssFrames.toFixed(2), summariseVerdicts(c.verdicts)])));
  lines.push('');
  if (result.jpegCases) {
    lines.push('JPEGs decoded alone in a fresh process (a real Chromium JPEG with its headers edited, and the largest images allowed):');
    lines.push(...table(['case', 'dec', 'bytes', 'ms', 'peak MB', '+MB', 'verdict'], result.jpegCases.map((j) => [j.name, j.decoder ?? 'js', j.jpegBytes, fmt(j.ms), j.peakRssMb.toFixed(0), j.extraRssMb.toFixed(1), j.result.startsWith(j.expect) ? j.result : `${j.result}≠${j.expect}!`])));
    lines.push('');
  }
  if (result.vitestRuns) {
    const v = result.vitestRuns;
    lines.push(`\`vitest run\` of ${v.wasm.assertions} ${v.wasm.size} assertions (3 pages × unchanged, caret, changed), whole process, medians of ${v.wasm.runs}:`);
    lines.push(...table(['dec', 'wall ms', 'Vitest "tests" ms', '× wasm'], ['wasm', 'js'].map((d) => [d, fmt(v[d].wallMs), fmt(v[d].testsMs), fmt(v[d].testsMs / v.wasm.testsMs)])));
    lines.push('');
  }
  lines.push(`Targets (${conc[0]?.size ?? ''}, worst page; MET/MISSED on the wall clock, then CPU time and the alternative where measured):`);
  for (const t of result.targets) {
    const more = [
      t.cpu && `cpu ${fmt(t.cpu.value)} ${t.cpu.met ? 'met' : 'missed'}`,
      t.alternative && `alternative ${fmt(t.alternative.value)} ${t.alternative.met ? 'met' : 'missed'}`,
      t.js && `jpeg-js ${fmt(t.js.value)} ${t.js.met ? 'met' : 'missed'}`,
      t.oneDecode && `one decode alone ${fmt(t.oneDecode.value)}`,
    ].filter(Boolean);
    lines.push(`  ${t.met ? 'MET   ' : 'MISSED'} ${t.target}: ${fmt(t.wall.value)} (${t.wall.page})${more.length ? `; ${more.join('; ')}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function summariseVerdicts(verdicts) {
  const counts = {};
  for (const v of [verdicts].flat()) counts[v] = (counts[v] ?? 0) + 1;
  return Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(', ');
}

function pct(ratio) {
  return `${(ratio * 100).toFixed(0)} %`;
}

function fmt(value) {
  if (value === undefined || Number.isNaN(value)) return '–';
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
}

function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const left = head.map((h) => ['size', 'page', 'case'].includes(h));
  const line = (cells) => cells.map((cell, i) => (left[i] ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
