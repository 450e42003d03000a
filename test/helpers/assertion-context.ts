import type { AssertionRecord } from '../../src/results/records.js';
import type { ReviewImage } from '../../src/vitest/artifacts.js';
import type { AssertionContext, MatcherUtils, TestInfo } from '../../src/vitest/matcher-context.js';
import type { UpdateMode } from '../../src/vitest/update-mode.js';

/** Plain-text stand-ins for Vitest's `this.utils`: the hint reads as Vitest's does with colours off. */
const plainUtils: MatcherUtils = {
  matcherHint: (name, received = 'received', expected = '', options = {}) =>
    `expect(${received}).${options.promise ? `${options.promise}.` : ''}${options.isNot ? 'not.' : ''}${name}(${expected})`,
  EXPECTED_COLOR: (text) => text,
  RECEIVED_COLOR: (text) => text,
  DIM_COLOR: (text) => text,
};

export interface FakeAssertionContext extends AssertionContext {
  /** Every record the matcher made, in order. */
  records: AssertionRecord[];
  /** Every set of review images it attached. */
  attached: Array<{ message: string; images: ReviewImage[] }>;
}

/**
 * An AssertionContext that is not Vitest's: a matcher called with it (`toMatchScreenshot.call(context, …)`) runs
 * in-process with the update mode, root and test name the test chooses, and its records land in `records`.
 */
export function fakeAssertionContext(test: { root: string; testPath?: string; testName?: string; updateMode?: UpdateMode; isNot?: boolean }): FakeAssertionContext {
  const counts = new Map<string, number>();
  const info: TestInfo = {
    root: test.root,
    testPath: test.testPath ?? `${test.root}/fake.test.ts`,
    testName: test.testName ?? 'a fake test',
    updateMode: test.updateMode ?? 'new',
  };
  const context: FakeAssertionContext = {
    isNot: test.isNot ?? false,
    promise: '',
    utils: plainUtils,
    root: test.root,
    test: () => info,
    nextDefaultName: (testName) => {
      const count = (counts.get(testName) ?? 0) + 1;
      counts.set(testName, count);
      return `${testName} ${count}`;
    },
    records: [],
    attached: [],
    record: async (record) => {
      context.records.push(record);
    },
    attachImages: async (message, images) => {
      context.attached.push({ message, images });
    },
  };
  return context;
}
