/**
 * A line diff in the shape of Vitest's snapshot diff: a header with how many lines each side has of its own, then
 * every line, kept (`  `), removed (`- `) or added (`+ `). Lines are matched by a longest common subsequence, so
 * one inserted step shows as one `+` line, not as every later line changed. Paths are short (tens of lines): the
 * quadratic table is a few hundred cells.
 */
export function diffLines(expected: readonly string[], actual: readonly string[], labels = { expected: 'Snapshot', actual: 'Received' }): string {
  const n = expected.length;
  const m = actual.length;
  // common[i][j]: longest common subsequence of expected[i..] and actual[j..].
  const common = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      common[i]![j] = expected[i] === actual[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: string[] = [];
  let [i, j, removed, added] = [0, 0, 0, 0];
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      lines.push(`  ${expected[i++]}`);
      j++;
    } else if (i < n && (j === m || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      lines.push(`- ${expected[i++]}`); // removals first, as Vitest prints a changed line
      removed++;
    } else {
      lines.push(`+ ${actual[j++]}`);
      added++;
    }
  }
  const width = Math.max(labels.expected.length, labels.actual.length);
  return [`- ${labels.expected.padEnd(width)}  - ${removed}`, `+ ${labels.actual.padEnd(width)}  + ${added}`, '', ...lines].join('\n');
}
