import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Screenshot } from '../../src/image/screenshot.js';
import { describeUnsettled, settleCaptures, SETTLE_GAP_MS } from '../../src/matchers/settle.js';
import { shot } from '../helpers/fixtures.js';
import { fakePollClock, type FakePollClock } from '../helpers/poll-clock.js';

// Real Chromium JPEGs played back in order: a page that loads (form, then thanks) and then stays on thanks.
const page = (file: string) => new Screenshot({ bytes: shot(file), url: 'http://shop.test/', title: 'Shop' });
function playing(files: string[]) {
  let i = 0;
  const calls: Array<number | undefined> = [];
  const capture = async (timeLimit?: number) => {
    calls.push(timeLimit);
    return page(files[Math.min(i++, files.length - 1)]!);
  };
  return { capture, calls };
}

let clock: FakePollClock;
beforeEach(() => (clock = fakePollClock()));
afterEach(() => clock.restore());

describe('settleCaptures', () => {
  test('captures until two in a row are byte-identical and returns the last, with its report', async () => {
    const { capture, calls } = playing(['form.jpg', 'docs.jpg', 'thanks.jpg', 'thanks.jpg', 'docs.jpg']);
    const settling = settleCaptures(capture, 5000);
    const result = await settling.capture();
    expect(result.bytes.equals(shot('thanks.jpg'))).toBe(true);
    expect(calls).toHaveLength(4);
    expect(clock.waits).toEqual([SETTLE_GAP_MS, SETTLE_GAP_MS, SETTLE_GAP_MS]);
    expect(settling.reportFor(result)).toEqual({ settled: true, captures: 4, durationMs: 3 * SETTLE_GAP_MS, settleMs: 5000 });
  });

  test('stops when `settle` is up, returns the last capture and reports that the page never settled', async () => {
    const { capture } = playing(['form.jpg', 'docs.jpg', 'thanks.jpg', 'form.jpg', 'docs.jpg', 'thanks.jpg']);
    const settling = settleCaptures(capture, 350);
    const result = await settling.capture();
    const report = settling.reportFor(result)!;
    expect(report).toEqual({ settled: false, captures: 4, durationMs: 300, settleMs: 350 });
    expect(result.bytes.equals(shot('form.jpg'))).toBe(true);
    expect(describeUnsettled(report)).toBe('The page never settled: 4 captures over 0.3 s (`settle` 350 ms), no two in a row the same; the last one was compared.');
  });

  test('uses the given sameness (the matcher passes its own limits: a blinking caret counts as still)', async () => {
    const { capture } = playing(['form-caret-a.jpg', 'form-caret-b.jpg']);
    const byBytes = settleCaptures(capture, 150);
    expect(byBytes.reportFor(await byBytes.capture())).toMatchObject({ settled: false, captures: 2 });
    const lenient = settleCaptures(playing(['form-caret-a.jpg', 'form-caret-b.jpg']).capture, 150, (a, b) => a.url === b.url);
    expect(lenient.reportFor(await lenient.capture())).toMatchObject({ settled: true, captures: 2 });
  });

  test("never settles past the caller's time limit, and hands each capture what is left of it", async () => {
    const { capture, calls } = playing(['form.jpg', 'docs.jpg', 'thanks.jpg', 'form.jpg', 'docs.jpg']);
    const settling = settleCaptures(capture, 60_000);
    const result = await settling.capture(800);
    // 500 ms are kept back for the last capture: settling may use 300 of the 800.
    expect(settling.reportFor(result)).toMatchObject({ settled: false, captures: 4, durationMs: 300 });
    expect(calls).toEqual([800, 700, 600, 500]);
  });

  test('with settle 0 the capture is left as it is, and there is no report', async () => {
    const { capture } = playing(['form.jpg']);
    const settling = settleCaptures(capture, 0);
    expect(settling.capture).toBe(capture);
    expect(settling.reportFor(await settling.capture())).toBeUndefined();
  });
});
