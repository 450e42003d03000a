import { describe, expect, test } from 'vitest';
import * as ours from '../../src/errors.js';
import { isTransientCaptureFailure } from '../../src/matchers/poll.js';
import { configure, resetConfiguration } from '../../src/options/options.js';
import AgiReporter from '../../src/reporter.js';

// A second copy of the module, as a project gets when Vitest loads src/ for one file and dist/ (or a second install)
// for another: its classes are other objects, so only the brand can make `instanceof` agree.
const other = (await import(new URL('../../dist/errors.js', import.meta.url).href)) as typeof ours;

describe('errors from another copy of errors.js', () => {
  test('are instances of this copy’s class and its bases, and of no other class', () => {
    expect(other.AuthError).not.toBe(ours.AuthError);
    const error = new other.AuthError('GET /v1/sessions', 401);
    expect(Object.getPrototypeOf(error)).not.toBe(ours.AuthError.prototype); // the prototype chain alone would say no
    expect([error instanceof ours.AuthError, error instanceof ours.AgiError, error instanceof Error]).toEqual([true, true, true]);
    expect([error instanceof ours.NotFoundError, error instanceof ours.UsageError]).toEqual([false, false]);
    const back = new ours.ResultsError('results.json is not JSON.');
    expect([back instanceof other.ResultsError, back instanceof other.UsageError, back instanceof other.AgiError, back instanceof other.FileSystemError]).toEqual([true, true, true, false]);
  });

  test('a subclass of a user’s own is branded too, and plain errors or look-alikes are not ours', () => {
    class Mine extends ours.HttpStatusError {}
    const mine = new Mine('GET', '/x', 500);
    expect([mine instanceof Mine, mine instanceof other.HttpStatusError, mine instanceof other.AgiError]).toEqual([true, true, true]);
    expect([new Error('x') instanceof ours.AgiError, { name: 'AuthError', code: 'AGI_AUTH' } instanceof ours.AgiError, (null as unknown) instanceof ours.AgiError]).toEqual([false, false, false]);
  });
});

describe('errors by origin', () => {
  test('broken image data is not an API error, but a broken capture is still polled past; a broken baseline is not', () => {
    const capture = new ours.InvalidScreenshotError('screenshot is a truncated JPEG (no end-of-image marker): 20000 bytes arrived.');
    const baseline = new ours.UnreadableBaselineError('baseline snapshots/x.jpg is unreadable (…); run `vitest -u` to replace it.');
    expect([capture instanceof ours.InvalidResponseError, capture.code, baseline instanceof ours.InvalidScreenshotError]).toEqual([false, 'AGI_INVALID_SCREENSHOT', true]);
    expect([isTransientCaptureFailure(capture), isTransientCaptureFailure(baseline), isTransientCaptureFailure(new ours.InvalidResponseError('no "url"'))]).toEqual([true, false, true]);
  });

  test('usage errors share one class and keep their codes', () => {
    const usage = [new ours.UsageError('x'), new ours.ConfigError('x'), new ours.RegionError('x'), new ours.ResultsError('x'), new ours.NotAwaitedError('toMatchScreenshot')];
    expect(usage.map((error) => [error.name, error.code, error instanceof ours.UsageError])).toEqual([
      ['UsageError', 'AGI_USAGE', true],
      ['ConfigError', 'AGI_CONFIG', true],
      ['RegionError', 'AGI_USAGE', true],
      ['ResultsError', 'AGI_RESULTS', true],
      ['NotAwaitedError', 'AGI_NOT_AWAITED', true],
    ]);
  });

  test('configure() and the reporter word a bad option the same way', () => {
    try {
      expect(() => configure({ outputDir: '' })).toThrowError(new ours.UsageError('configure(): `outputDir` must be a non-empty path, but received the string "".'));
      expect(() => new AgiReporter({ outputFile: '' })).toThrowError(new ours.UsageError('vitest-agi/reporter: `outputFile` must be a non-empty path, but received the string "".'));
      expect(() => new AgiReporter([] as never)).toThrowError(new ours.UsageError('vitest-agi/reporter: options must be an object, but received an array of 0.'));
      expect(() => configure([] as never)).toThrowError(new ours.UsageError('configure(): options must be an object, but received an array of 0.'));
    } finally {
      resetConfiguration();
    }
  });
});
