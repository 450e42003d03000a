import { describe, expect, test } from 'vitest';
import { alignSteps, foldPath, isSubsequence } from '../../src/matchers/run-path.js';
import { diffLines } from '../../src/text/line-diff.js';

const at = (atMs: number, url: string, title = url.toUpperCase(), count = 1) => ({ atMs, url, title, count });

describe('foldPath', () => {
  test('folds consecutive captures of one page into a visit with its time span and summed counts', () => {
    expect(foldPath([at(0, '/'), at(500, '/a'), at(900, '/a', '/A', 3), at(1500, '/'), at(2000, '/')])).toEqual([
      { url: '/', title: '/', fromMs: 0, toMs: 0, captures: 1 },
      { url: '/a', title: '/A', fromMs: 500, toMs: 900, captures: 4 },
      { url: '/', title: '/', fromMs: 1500, toMs: 2000, captures: 2 },
    ]);
  });

  test('a page that changed only its title is another visit', () => {
    expect(foldPath([at(0, '/a', 'Loading'), at(100, '/a', 'Cart')]).map((v) => v.title)).toEqual(['Loading', 'Cart']);
  });

  test('folds by the page the mapping gives, so normalised URLs can be one visit', () => {
    const visits = foldPath([at(0, '/a?x=1', 'A'), at(100, '/a?x=2', 'A')], (c) => ({ url: c.url.split('?')[0]!, title: c.title }));
    expect(visits).toEqual([{ url: '/a', title: 'A', fromMs: 0, toMs: 100, captures: 2 }]);
  });

  test('no captures, no visits', () => {
    expect(foldPath([])).toEqual([]);
  });
});

describe('alignSteps', () => {
  const visits = ['home', 'checkout', 'pay', 'thanks'];
  const matcher = (steps: string[]) => (step: number, visit: number) => visits[visit]!.includes(steps[step]!);

  test('in order, each step takes the earliest visit at or after the previous step', () => {
    const steps = ['checkout', 'thanks'];
    expect(alignSteps(4, 2, matcher(steps), true)).toEqual({ matchedAt: [1, 3], missing: [], unchecked: [], earlier: new Map() });
  });

  test('two steps may match one visit', () => {
    const steps = ['check', 'out'];
    expect(alignSteps(4, 2, matcher(steps), true).matchedAt).toEqual([1, 1]);
  });

  test('out of order: the step seen only before its predecessor is missing, with where it was, and the rest unchecked', () => {
    const steps = ['thanks', 'checkout', 'home'];
    expect(alignSteps(4, 3, matcher(steps), true)).toEqual({ matchedAt: [3, undefined, undefined], missing: [1], unchecked: [2], earlier: new Map([[1, 1]]) });
  });

  test('a step never visited is missing with no earlier visit', () => {
    const steps = ['checkout', 'login', 'thanks'];
    expect(alignSteps(4, 3, matcher(steps), true)).toEqual({ matchedAt: [1, undefined, undefined], missing: [1], unchecked: [2], earlier: new Map() });
  });

  test('with inOrder false every step may match anywhere, and every missing one is reported', () => {
    const steps = ['thanks', 'login', 'home', 'cart'];
    expect(alignSteps(4, 4, matcher(steps), false)).toEqual({ matchedAt: [3, undefined, 0, undefined], missing: [1, 3], unchecked: [], earlier: new Map() });
  });
});

describe('isSubsequence', () => {
  const eq = (a: string, b: string) => a === b;
  test.each([
    [['a', 'c'], ['a', 'b', 'c'], true],
    [['a', 'b', 'c'], ['a', 'b', 'c'], true],
    [[], ['a'], true],
    [['c', 'a'], ['a', 'b', 'c'], false],
    [['a', 'a'], ['a', 'b'], false],
    [['a', 'b', 'c', 'd'], ['a', 'b', 'c'], false],
  ])('%j in %j: %s', (part, whole, expected) => {
    expect(isSubsequence(part, whole, eq)).toBe(expected);
  });
});

describe('diffLines', () => {
  test('an inserted line is one + line, the rest kept, with counts in the header', () => {
    expect(diffLines(['home', 'checkout', 'thanks'], ['home', 'login', 'checkout', 'thanks'])).toMatchInlineSnapshot(`
      "- Snapshot  - 0
      + Received  + 1

        home
      + login
        checkout
        thanks"
    `);
  });

  test('a changed line shows the removal before the addition', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'c'])).toMatchInlineSnapshot(`
      "- Snapshot  - 1
      + Received  + 1

        a
      - b
      + x
        c"
    `);
  });

  test('one side empty', () => {
    expect(diffLines([], ['a'])).toBe('- Snapshot  - 0\n+ Received  + 1\n\n+ a');
    expect(diffLines(['a'], [])).toBe('- Snapshot  - 1\n+ Received  + 0\n\n- a');
  });
});
