// The recommendation, chosen from the numbers, and the printed table of `npm run bench:live`.

/**
 * The recipe to recommend: among the measured ones that meet both targets (no false failure on the unchanged runs,
 * every seeded regression caught), the fastest — judged by the slower of its two medians, an unchanged pass and a
 * caught regression, since a recipe that waits out a `timeout` on every real failure pays that on every red run;
 * when none meets them, the one that errs least (false-failure rate plus missed share), then the fastest. Sets `why`
 * on the row it returns.
 */
export function chooseRecommended(rows) {
  const measured = rows.filter((r) => r.missing === undefined && r.unchangedRuns > 0);
  const meets = (r) => r.falseFailures === 0 && r.regressionsCaught === r.regressions;
  const errs = (r) => r.falseFailures / r.unchangedRuns + (r.regressions ? (r.regressions - r.regressionsCaught) / r.regressions : 0);
  const passing = measured.filter(meets);
  const pool = passing.length ? passing : measured;
  const cost = (r) => Math.max(r.msUnchanged ?? r.msPerAssertion, r.msRegression ?? r.msPerAssertion);
  const best = [...pool].sort((a, b) => errs(a) - errs(b) || cost(a) - cost(b))[0];
  if (!best) return undefined;
  const others = passing.filter((r) => r !== best).map((r) => `${r.name} ${cost(r)} ms`);
  best.why = passing.length
    ? `meets both targets (0 false failures in ${best.unchangedRuns} unchanged runs, ${best.regressionsCaught}/${best.regressions} regressions caught)` +
      (others.length ? ` and is the fastest of those that do, pass or fail (${cost(best)} ms; ${others.join(', ')})` : ', the only recipe that does')
    : `no recipe meets both targets; this one errs least: ${best.falseFailures}/${best.unchangedRuns} false failures, ${best.regressionsCaught}/${best.regressions} caught`;
  return best;
}

const percent = (part, whole) => (whole ? `${((100 * part) / whole).toFixed(0)}%` : '–');

export function formatLiveReport(result, regressionNames) {
  const m = result.machine;
  const lines = [
    `vitest-agi bench:live — Node ${m.node}, Vitest ${m.vitest}, ${m.cpu}, Chromium ${m.chromium}; ${m.concurrency} test files (recipes) at a time, the tests in a file one after another; ` +
      `load average ${m.loadAverageAtStart[0]} → ${m.loadAverageAtEnd[0]}; ${m.durationS} s in all.`,
    'Each verdict is a real `expect(session).toMatchScreenshot(name, options)` in a child `vitest run` (CI mode), on a fresh page load.',
    '"located": the failure names a changed region that overlaps the seeded regression (it failed for the right reason).',
    '',
  ];
  const header = ['recipe', 'false failures', 'regressions caught', 'ms/assertion', 'missed'];
  const table = result.recipes.map((r) =>
    r.missing
      ? [r.name, '–', '–', '–', `not measured: ${r.missing}`]
      : [
          `${r.recommended ? '★ ' : ''}${r.name}`,
          `${r.falseFailures}/${r.unchangedRuns} (${percent(r.falseFailures, r.unchangedRuns)})`,
          `${r.regressionsCaught}/${r.regressions}${r.regressionsLocated === null ? '' : ` (${r.regressionsLocated} located)`}`,
          String(r.msPerAssertion),
          r.missed.length ? r.missed.join(', ') : '',
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  lines.push(line(header), `|${widths.map((w, i) => (i === 0 || i === 4 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...table.map(line), '');
  const best = result.recipes.find((r) => r.recommended);
  if (best) lines.push(`★ recommended: ${best.name} — ${best.why}.`, `  options: ${best.options}`);
  for (const r of result.recipes.filter((x) => !x.missing && x.falseFailures > 0)) {
    const reasons = countBy(r.falseFailureRuns.map((f) => f.reason.replace(/[\d,]+ pixels/, 'N pixels').replace(/\(.*$/, '').trim()));
    const moments = r.falseFailures <= 8 ? ` at ${r.falseFailureRuns.map((f) => `${f.delayMs}`).join(', ')} ms after load` : '';
    lines.push(`  ${r.name}: ${r.falseFailures} false failures${moments} — ${reasons}`);
  }
  lines.push(`Regressions seeded: ${Object.entries(regressionNames).map(([k, v]) => `${k} (${v})`).join('; ')}.`, '');
  return lines.join('\n');
}

function countBy(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${n}× "${v}"`).join('; ');
}
