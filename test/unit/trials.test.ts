import { beforeAll, describe, expect, test } from 'vitest';
import { trials } from '../../src/trials/trials.js';
import { UsageError } from '../../src/errors.js';
import { recordedAssertions } from '../../src/results/records.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { shot } from '../helpers/fixtures.js';
import { startApiServer } from '../helpers/api-server.js';
import { AgiClient } from '../../src/api/client.js';
import { failureOf, rejectionOf } from '../helpers/messages.js';

// trials() in this very test run: the bodies are in-process (no sessions); the emulator runs are in
// test/e2e/trials.test.ts. Each test here passing also proves that a trial's failures never failed the test itself.
const page = (url: string) => new Screenshot({ bytes: shot('thanks.jpg'), url, title: 'Thank you — Shop' });
/** Lets other trials run without sleeping: a few turns of the event loop. */
const yieldTurns = async (turns: number) => {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('trials', () => {
  test('passes when at least `atLeast` trials pass, with each trial numbered from 1', async () => {
    const summary = await trials(5, { atLeast: 4 }, ({ expect, trial }) => {
      expect(trial, 'the agent failed on trial 3').not.toBe(3);
    });
    expect(summary).toMatchObject({ k: 5, passed: 4, atLeast: 4 });
    expect(summary.trials.map(({ trial, pass }) => [trial, pass])).toEqual([[1, true], [2, true], [3, false], [4, true], [5, true]]);
    expect(summary.trials[2]!.error?.message).toBe('the agent failed on trial 3: expected 3 not to be 3 // Object.is equality');
    expect(summary.trials.every((t) => Number.isInteger(t.durationMs) && t.durationMs >= 0)).toBe(true);
  });

  test('rejects with the count, the requirement and each failing trial\'s first failure', async () => {
    const message = await failureOf(
      trials(5, {}, async ({ expect, trial }) => {
        await expect(page(`https://shop.example/${trial === 2 || trial === 4 ? 'payment-failed' : 'thank-you'}`)).toHaveURL(/thank-you/);
        expect(trial).toBeLessThan(5);
      }),
    );
    expect(message).toMatchInlineSnapshot(`
      "2 of 5 trials passed; at least 5 required.

        Trial 2: Expected: URL to match /thank-you/; Received URL: "https://shop.example/payment-failed"; Received title: "Thank you — Shop"
        Trial 4: Expected: URL to match /thank-you/; Received URL: "https://shop.example/payment-failed"; Received title: "Thank you — Shop"
        Trial 5: expected 5 to be less than 5

      Pass rate 40 % (95 % interval 12–77 %)."
    `);
  });

  test('a failing soft assertion fails its own trial only, and the first failure is the one kept', async () => {
    const summary = await trials(4, { atLeast: 2 }, ({ expect, trial }) => {
      expect.soft(trial % 2, `first on trial ${trial}`).toBe(1);
      expect.soft(trial, `second on trial ${trial}`).not.toBe(4);
    });
    expect(summary.trials.map((t) => t.pass)).toEqual([true, false, true, false]);
    expect(summary.trials[3]!.error?.message).toBe('first on trial 4: expected +0 to be 1 // Object.is equality');
  });

  test('a trial the API refused with 429 fails, and the message says to lower `concurrency`', async () => {
    const server = await startApiServer({ apiKey: 'trials-key' });
    try {
      server.script('s_busy', ['rate-limited']);
      const agi = new AgiClient({ apiKey: 'trials-key', baseUrl: server.baseUrl, retries: 0 });
      const message = await failureOf(trials(2, { concurrency: 2 }, async ({ trial }) => {
        if (trial === 2) await agi.session('s_busy').screenshot();
      }));
      expect(message).toMatchInlineSnapshot(`
        "1 of 2 trials passed; at least 2 required.

          Trial 2: HttpStatusError: GET /v1/sessions/s_busy/screenshot failed with status 429: Rate limit exceeded.

        Pass rate 50 % (95 % interval 9–91 %).
        The API refused a request with 429 (too many sessions or requests): lower \`concurrency\`, or run fewer test files at once."
      `);
    } finally {
      await server.close();
    }
  });

  test('runs `concurrency` trials at once, never more, and each still has its own expect', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const summary = await trials(6, { concurrency: 2 }, async ({ expect, trial }) => {
      started.push(trial);
      running++;
      most = Math.max(most, running);
      await yieldTurns(5);
      expect(running).toBeLessThanOrEqual(2);
      running--;
    });
    expect(summary.passed).toBe(6);
    expect(most).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('records the matchers of a trial with its number, on the test', async ({ task }) => {
    await trials(2, {}, async ({ expect, trial }) => {
      await expect(page(`https://shop.example/${trial}`)).toBeOnPage('shop.example');
    });
    const records = recordedAssertions(task).filter((r) => r.matcher === 'toBeOnPage');
    expect(records.map((r) => [r.url, r.trial])).toEqual([['https://shop.example/1', 1], ['https://shop.example/2', 2]]);
  });
});

describe('trials() options', () => {
  const body = () => {};
  let outsideATest: Promise<unknown>;
  beforeAll(() => {
    outsideATest = rejectionOf(trials(2, {}, body));
  });

  test('trials() outside a test (here: in beforeAll) is refused', async () => {
    expect(((await outsideATest) as Error).message).toBe('trials() must be called inside a Vitest test (not in a hook or at the top of a file).');
  });

  test.each([
    [0, {}, 'trials(): `k` must be a whole number from 1 to 1000, but received number 0.'],
    [2.5, {}, 'trials(): `k` must be a whole number from 1 to 1000, but received number 2.5.'],
    ['5', {}, 'trials(): `k` must be a whole number from 1 to 1000, but received the string "5".'],
    [5, { atLeast: 6 }, 'trials(): `atLeast` must be a whole number from 1 to 5 (k), but received number 6.'],
    [5, { atLeast: 0 }, 'trials(): `atLeast` must be a whole number from 1 to 5 (k), but received number 0.'],
    [5, { concurrency: 0 }, 'trials(): `concurrency` must be a whole number from 1 to 8, but received number 0.'],
    [5, { concurrency: 9 }, 'trials(): `concurrency` must be a whole number from 1 to 8, but received number 9.'],
    [5, { atleast: 4 }, 'trials(): unknown option `atleast`. Known options: `atLeast`, `concurrency`.'],
    [5, null, 'trials(): options must be an object, but received null.'],
  ])('trials(%j, %j) is refused with a UsageError naming the option', async (k, options, message) => {
    const error = await rejectionOf(trials(k as number, options as object, body));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(message);
  });

  test('the body must be a function', async () => {
    expect((await rejectionOf(trials(3, {}, 'run' as never))).message).toBe(
      'trials(): the body must be a function ({ expect, trial }) => …, but received the string "run".',
    );
  });
});
