import { afterEach, describe, expect, test } from 'vitest';
import { RegionError, UsageError } from '../../src/errors.js';
import { checkRegionOption, checkRegionsInside, configure, DEFAULT_OPTIONS, resetConfiguration, resolveOptions, SCREENSHOT_OPTION_NAMES, TEXT_OPTION_NAMES } from '../../src/options/options.js';

afterEach(resetConfiguration);

describe('resolveOptions', () => {
  test('layers defaults, then configure(), then the call', () => {
    configure({ threshold: 0.2, timeout: 5000 });
    const options = resolveOptions({ timeout: 100 }, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot');
    expect(options).toEqual({ ...DEFAULT_OPTIONS, threshold: 0.2, timeout: 100 });
  });

  test('an undefined call option does not erase a configured one', () => {
    configure({ maxDiffPixels: 7 });
    expect(resolveOptions({ maxDiffPixels: undefined }, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot').maxDiffPixels).toBe(7);
  });

  test.each([
    [{ thresold: 0.1 }, UsageError, 'toMatchScreenshot: unknown option `thresold`. Known options: `threshold`, `maxDiffPixels`, `maxDiffPixelRatio`, `mask`, `clip`, `timeout`, `interval`, `meta`, `maskText`, `settle`, `variants`.'],
    [{ threshold: 2 }, UsageError, 'toMatchScreenshot: `threshold` must be from 0 to 1, but received 2.'],
    [{ threshold: '0.1' }, UsageError, 'toMatchScreenshot: `threshold` must be a number from 0 to 1, but received the string "0.1".'],
    [{ maxDiffPixels: 1.5 }, UsageError, 'toMatchScreenshot: `maxDiffPixels` must be a whole number from 0 to 9007199254740991, but received number 1.5.'],
    [{ mask: { x: 0 } }, UsageError, 'toMatchScreenshot: `mask` must be an array of regions {x, y, width, height}, but received an object with keys {x}.'],
    [{ clip: { x: 0, y: 0, width: 0, height: 5 } }, UsageError, 'toMatchScreenshot: `clip` must be {x, y, width, height} in whole pixels (x, y ≥ 0; width, height > 0), but received an object with keys {x, y, width, height}.'],
    [{ interval: 0 }, UsageError, 'toMatchScreenshot: `interval` must be from 1 to 3600000, but received 0.'],
    [{ maskText: /\d+/ }, UsageError, 'toMatchScreenshot: `maskText` must be an array of strings and RegExps, but received a RegExp with no keys.'],
    [{ maskText: ['Order #', 42] }, UsageError, 'toMatchScreenshot: `maskText[1]` must be a non-empty string or a RegExp, but received number 42.'],
    [{ maskText: [/x/, ' '] }, UsageError, 'toMatchScreenshot: `maskText[1]` must be a non-empty string or a RegExp, but received the string " ".'],
    [{ region: { x: 0, y: 0, width: 10, height: 10 } }, UsageError, 'toMatchScreenshot: unknown option `region`. Known options: `threshold`, `maxDiffPixels`, `maxDiffPixelRatio`, `mask`, `clip`, `timeout`, `interval`, `meta`, `maskText`, `settle`, `variants`.'],
    [{ variants: 0 }, UsageError, 'toMatchScreenshot: `variants` must be from 1 to 10, but received 0.'],
    [{ variants: 1.5 }, UsageError, 'toMatchScreenshot: `variants` must be a whole number from 1 to 10, but received number 1.5.'],
    [{ settle: -1 }, UsageError, 'toMatchScreenshot: `settle` must be from 0 to 600000, but received -1.'],
  ])('refuses %j with an error naming the option', (options, type, message) => {
    expect(() => resolveOptions(options, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot')).toThrowError(new type(message));
  });

  test('configure() validates too, and accepts the project-only folders', () => {
    expect(() => configure({ outputDir: '' })).toThrowError('configure(): `outputDir` must be a non-empty path, but received the string "".');
    configure({ snapshotDir: '__screens__' });
    expect(resolveOptions(undefined, SCREENSHOT_OPTION_NAMES, 'x').snapshotDir).toBe('__screens__');
  });

  test('configure() takes the JPEG decoder, wasm by default, and names a wrong one', () => {
    expect(resolveOptions(undefined, SCREENSHOT_OPTION_NAMES, 'x').decoder).toBe('wasm');
    configure({ decoder: 'js' });
    expect(resolveOptions(undefined, SCREENSHOT_OPTION_NAMES, 'x').decoder).toBe('js');
    expect(() => configure({ decoder: 'sharp' as 'js' })).toThrowError(new UsageError(`configure(): \`decoder\` must be 'wasm' or 'js', but received the string "sharp".`));
    expect(() => resolveOptions({ decoder: 'js' }, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot')).toThrowError(/unknown option `decoder`/);
  });
});

describe('the options of toShowText and maskText', () => {
  test('toShowText takes `region`, `timeout`, `interval` and `settle`, and checks the region like a clip', () => {
    const region = { x: 0, y: 40, width: 640, height: 80 };
    expect(resolveOptions({ region, timeout: 5000 }, TEXT_OPTION_NAMES, 'toShowText')).toMatchObject({ region, timeout: 5000, interval: 1000 });
    expect(() => resolveOptions({ region: { x: -1, y: 0, width: 5, height: 5 } }, TEXT_OPTION_NAMES, 'toShowText')).toThrowError(
      new UsageError('toShowText: `region` must be {x, y, width, height} in whole pixels (x, y ≥ 0; width, height > 0), but received an object with keys {x, y, width, height}.'),
    );
    expect(() => resolveOptions({ maskText: ['x'] }, TEXT_OPTION_NAMES, 'toShowText')).toThrowError('toShowText: unknown option `maskText`. Known options: `region`, `timeout`, `interval`, `settle`.');
  });

  test('maskText is a project option too, replaced (not merged) by a call', () => {
    configure({ maskText: [/\d\d:\d\d/] });
    expect(resolveOptions(undefined, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot').maskText).toEqual([/\d\d:\d\d/]);
    expect(resolveOptions({ maskText: ['Order #'] }, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot').maskText).toEqual(['Order #']);
    expect(() => configure({ maskText: [''] })).toThrowError('configure(): `maskText[0]` must be a non-empty string or a RegExp, but received the string "".');
  });

  test('a region outside the capture is named like a mask', () => {
    expect(() => checkRegionOption('toShowText', 'region', { x: 1200, y: 0, width: 100, height: 10 }, { width: 1280, height: 720 })).toThrowError(
      new RegionError('toShowText: `region` {x: 1200, y: 0, width: 100, height: 10} reaches outside the 1280×720 screenshot (it ends at x 1300, y 10).'),
    );
  });
});

describe('checkRegionsInside', () => {
  const size = { width: 1280, height: 720 };

  test('accepts regions that end exactly at the edge', () => {
    expect(checkRegionsInside({ clip: { x: 0, y: 0, width: 1280, height: 720 }, mask: [{ x: 1270, y: 710, width: 10, height: 10 }] }, size, 'x')).toBeUndefined();
  });

  test('names the first region outside the capture, with the capture size and where it ends', () => {
    expect(() => checkRegionsInside({ clip: undefined, mask: [{ x: 0, y: 0, width: 5, height: 5 }, { x: 1279, y: 0, width: 2, height: 1 }] }, size, 'toMatchScreenshot')).toThrowError(
      new RegionError('toMatchScreenshot: `mask[1]` {x: 1279, y: 0, width: 2, height: 1} reaches outside the 1280×720 screenshot (it ends at x 1281, y 1).'),
    );
  });
});
