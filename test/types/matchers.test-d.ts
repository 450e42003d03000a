// Compile-only: what a user's editor sees after `setupFiles: ['vitest-agi/setup']`. Never run; checked by `tsc`
// against each Vitest major (test/e2e/types.test.ts), with skipLibCheck on and off.
//
// Without the augmentation every positive case fails ("Property 'toMatchScreenshot' does not exist"). Where
// TypeScript allows, a negative case keeps its `@ts-expect-error` on the line of the wrong option or argument, not
// on the call, so it cannot be satisfied by a missing matcher; test/e2e/types.test.ts also strips every directive and
// checks that each one's next line, and no other line, has an error.
import { expect, expectTypeOf, test } from 'vitest';
import { AgiClient, configure, DEFAULT_OPTIONS, trials, type PageExpectation, type PageOptions, type ProjectOptions, type ScreenshotOptions, type Session, type TextExpectation, type TextOptions, type TrialsOptions, type TrialsSummary } from 'vitest-agi';
import 'vitest-agi/setup';

declare const session: Session;

test('toMatchScreenshot exists on expect(x), .not and expect.soft, and returns Promise<void>', async () => {
  expectTypeOf(expect(session).toMatchScreenshot('home')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).not.toMatchScreenshot('home')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect.soft(session).toMatchScreenshot('home')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).toMatchScreenshot).returns.toEqualTypeOf<Promise<void>>();

  await expect(session).toMatchScreenshot();
  await expect(session).toMatchScreenshot('home');
  await expect(session).toMatchScreenshot('home', { threshold: 0.1, maxDiffPixels: 32 });
  await expect(session).toMatchScreenshot({ mask: [{ x: 0, y: 0, width: 200, height: 40 }] });
  await expect(session).not.toMatchScreenshot('home', { timeout: 10_000, interval: 500 });
  await expect.soft(session).toMatchScreenshot({ clip: { x: 0, y: 0, width: 1280, height: 40 }, maxDiffPixelRatio: 0.01 });
  await expect(new AgiClient().session('s_1')).toMatchScreenshot();
});

test('toMatchScreenshot takes exactly the ScreenshotOptions exported from vitest-agi', () => {
  // Both overloads, by their parameters: (name?, options?) and (options).
  expectTypeOf(expect(session).toMatchScreenshot).parameters.toEqualTypeOf<[name?: string, options?: ScreenshotOptions] | [options: ScreenshotOptions]>();
  expectTypeOf(expect(session).not.toMatchScreenshot).parameters.toEqualTypeOf<[name?: string, options?: ScreenshotOptions] | [options: ScreenshotOptions]>();
  expectTypeOf(expect.soft(session).toMatchScreenshot).parameters.toEqualTypeOf<[name?: string, options?: ScreenshotOptions] | [options: ScreenshotOptions]>();
  // The editor offers every option the matcher accepts: each one has a default, and none is missing from the type.
  expectTypeOf<keyof ScreenshotOptions>().toEqualTypeOf<Exclude<keyof typeof DEFAULT_OPTIONS, 'snapshotDir' | 'outputDir'>>();
  expectTypeOf<'threshold' | 'maxDiffPixels' | 'maxDiffPixelRatio' | 'mask' | 'clip' | 'timeout' | 'interval'>().toExtend<keyof ScreenshotOptions>();
  expectTypeOf<ScreenshotOptions['threshold']>().toEqualTypeOf<number | undefined>();
  expectTypeOf<ScreenshotOptions['mask']>().toEqualTypeOf<{ x: number; y: number; width: number; height: number }[] | undefined>();
  expectTypeOf<ScreenshotOptions['clip']>().toEqualTypeOf<{ x: number; y: number; width: number; height: number } | undefined>();
});

test('toMatchScreenshot rejects a misspelt option, a wrong option type and a wrong name type', async () => {
  await expect(session).toMatchScreenshot('home', {
    // @ts-expect-error -- `thresold` is no option (excess property)
    thresold: 0.1,
  });
  await expect(session).toMatchScreenshot('home', {
    // @ts-expect-error -- `threshold` is a number
    threshold: '0.1',
  });
  await expect(session).toMatchScreenshot(
    // @ts-expect-error -- a name is a string
    42,
  );
  // With options only, both overloads are tried and TypeScript reports "No overload matches this call" on the
  // matcher's name, so these directives stand above the call.
  // @ts-expect-error -- `thresold` is no option
  await expect(session).toMatchScreenshot({ thresold: 0.1 });
  // @ts-expect-error -- `threshold` is a number
  await expect(session).toMatchScreenshot({ threshold: '0.1' });
  // @ts-expect-error -- `thresold` is no option under .not either
  await expect(session).not.toMatchScreenshot({ thresold: 0.1 });
  // @ts-expect-error -- regions are {x, y, width, height}
  await expect.soft(session).toMatchScreenshot({ mask: [{ left: 0, top: 0 }] });
});

test('toBeOnPage takes a string, a RegExp or {url?, title?}, and PageOptions', async () => {
  expectTypeOf(expect(session).toBeOnPage('thank')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).not.toBeOnPage(/checkout/)).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect.soft(session).toBeOnPage({ url: /\/thanks$/ })).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).toBeOnPage).parameters.toEqualTypeOf<[expected: PageExpectation, options?: PageOptions]>();
  expectTypeOf<PageExpectation>().toEqualTypeOf<string | RegExp | { url?: string | RegExp; title?: string | RegExp }>();
  expectTypeOf<keyof PageOptions>().toEqualTypeOf<'timeout' | 'interval'>();

  await expect(session).toBeOnPage('thank you');
  await expect(session).toBeOnPage(/thank/i, { timeout: 30_000 });
  await expect(session).toBeOnPage({ url: /\/checkout\/done$/, title: 'Order complete' }, { timeout: 30_000, interval: 500 });
  await expect(session).toBeOnPage({ title: /order/i });
  await expect(session).not.toBeOnPage({ url: 'https://shop.example/cart' });
  await expect.soft(session).toBeOnPage(/thank/);

  await expect(session).toBeOnPage(
    // @ts-expect-error -- a number is no page expectation
    42,
  );
  await expect(session).toBeOnPage({
    // @ts-expect-error -- `path` is neither `url` nor `title`
    path: '/thanks',
  });
  await expect(session).toBeOnPage('thank', {
    // @ts-expect-error -- screenshot options do not apply to page matchers
    threshold: 0.1,
  });
  await expect(session).not.toBeOnPage('thank', {
    // @ts-expect-error -- `timeout` is in ms, a number
    timeout: '30s',
  });
});

test('toHaveURL and toHaveTitle take a string or RegExp, and PageOptions', async () => {
  expectTypeOf(expect(session).toHaveURL('https://shop.example/')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).not.toHaveURL(/cart/)).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect.soft(session).toHaveURL(/thanks/)).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).toHaveTitle('Shop')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).not.toHaveTitle(/error/i)).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect.soft(session).toHaveTitle(/shop/i)).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).toHaveURL).parameters.toEqualTypeOf<[expected: TextExpectation, options?: PageOptions]>();
  expectTypeOf(expect(session).toHaveTitle).parameters.toEqualTypeOf<[expected: TextExpectation, options?: PageOptions]>();
  expectTypeOf<TextExpectation>().toEqualTypeOf<string | RegExp>();

  await expect(session).toHaveURL(/\/thanks$/, { timeout: 5_000 });
  await expect(session).toHaveTitle('Thank you — Shop', { interval: 250 });

  await expect(session).toHaveURL(
    // @ts-expect-error -- a URL expectation is a string or RegExp, not an object
    { url: '/thanks' },
  );
  await expect(session).toHaveTitle(
    // @ts-expect-error -- a number is no title
    42,
  );
  await expect(session).toHaveURL('https://shop.example/', {
    // @ts-expect-error -- `timeOut` is no option
    timeOut: 1000,
  });
});

test('toShowText takes a string or RegExp and TextOptions; maskText takes strings and RegExps', async () => {
  expectTypeOf(expect(session).toShowText('Order confirmed')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).not.toShowText(/error/i)).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect.soft(session).toShowText('Total')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).toShowText).parameters.toEqualTypeOf<[expected: TextExpectation, options?: TextOptions]>();

  await expect(session).toShowText('Tiny Shop', { region: { x: 0, y: 0, width: 1280, height: 52 }, timeout: 5_000, interval: 250 });
  await expect(session).toMatchScreenshot('clock', { maskText: [/\d\d:\d\d/, 'Order #'] });
  configure({ maskText: [/\d\d:\d\d/] });

  await expect(session).toShowText('x', {
    // @ts-expect-error -- `region` is a rectangle, not a string
    region: 'header',
  });
  await expect(session).toMatchScreenshot('clock', {
    // @ts-expect-error -- maskText holds strings and RegExps
    maskText: [42],
  });
});

test('the test context expect has the matchers too', async ({ expect }) => {
  expectTypeOf(expect(session).toMatchScreenshot('home')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(session).not.toBeOnPage('thank')).toEqualTypeOf<Promise<void>>();
});

test('no other member appears: the assertion is not `any` and has no index signature', () => {
  // @ts-expect-error -- not a matcher of ours
  void expect(session).toMatchScreenshots;
  // @ts-expect-error -- not a matcher of ours
  void expect(session).not.toBeOnPages;
});

test('configure() takes ProjectOptions: the screenshot options plus snapshotDir and outputDir', () => {
  expectTypeOf(configure).parameters.toEqualTypeOf<[options: ProjectOptions]>();
  expectTypeOf(configure).returns.toEqualTypeOf<void>();
  expectTypeOf<keyof ProjectOptions>().toEqualTypeOf<keyof ScreenshotOptions | 'snapshotDir' | 'outputDir'>();
  expectTypeOf<keyof ProjectOptions>().toEqualTypeOf<keyof typeof DEFAULT_OPTIONS>();

  configure({ threshold: 0.15, maxDiffPixels: 0, timeout: 10_000, snapshotDir: 'baselines', outputDir: '.vitest-agi' });
  configure({
    // @ts-expect-error -- `snapshotdir` is misspelt
    snapshotdir: 'baselines',
  });
  configure({
    // @ts-expect-error -- `threshold` is a number
    threshold: '0.15',
  });
});

test('trials() gives each trial an expect with the matchers and its number, and resolves to the summary', async () => {
  const summary = await trials(5, { atLeast: 4, concurrency: 2 }, async ({ expect: trialExpect, trial }) => {
    expectTypeOf(trial).toEqualTypeOf<number>();
    expectTypeOf(trialExpect(session).toBeOnPage(/thank/i)).toEqualTypeOf<Promise<void>>();
    await trialExpect.soft(session).toMatchScreenshot('done');
  });
  expectTypeOf(summary).toEqualTypeOf<TrialsSummary>();
  expectTypeOf(summary.trials[0]!.error).toEqualTypeOf<Error | undefined>();
  await trials(3, () => {});
  expectTypeOf<TrialsOptions>().toEqualTypeOf<{ atLeast?: number; concurrency?: number }>();
  await trials(3, {
    // @ts-expect-error -- the option is `atLeast`
    atleast: 2,
  }, () => {});
});
