import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { TestContext } from 'vitest';
import { startFixture } from './fixture.js';
import type { Fixture } from './fixture.js';

// Each step of the scripted agent, run through our own client against real Chromium and a real local site.

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture({ stepTimeout: 4_000 });
});
afterAll(async () => {
  await fx?.close();
});

/** A loopback URL on a port that was free a moment ago: nothing listens there. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/`;
}

/**
 * A fresh session for one test, deleted when the test ends. The tests run concurrently (they mostly wait
 * on the agent), each on its own session: that they never disturb each other is part of what they show.
 */
async function agent({ onTestFinished }: TestContext) {
  const session = await fx.agi.createSession();
  onTestFinished(async () => {
    await session.delete();
  });
  return {
    session,
    /** Sends `script` (SITE = the test site) and waits for the task to stop. */
    async run(script: string, options: { startUrl?: string } = {}) {
      await session.sendMessage(script.replaceAll('SITE', fx.site), options);
      return await session.waitUntilFinished({ timeout: 30_000 });
    },
    async page(): Promise<{ url: string; title: string }> {
      const { url, title } = await session.screenshot();
      return { url: url.replace(fx.site, 'SITE'), title };
    },
    async messages(): Promise<string[]> {
      return (await session.messages()).messages.map((m) => `${m.type} ${String(m.content).replaceAll(fx.site, 'SITE')}`);
    },
    async sessionStatus(): Promise<string | undefined> {
      return (await fx.agi.listSessions()).find((s) => s.sessionId === session.id)?.status;
    },
  };
}

describe.concurrent('the scripted agent', () => {
describe('go to', () => {
  test('go to opens an absolute URL and waits for it to load', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run('go to SITE/about');
    expect(result.status).toBe('finished');
    expect(await a.page()).toEqual({ url: 'SITE/about', title: 'About' });
  });

  test('go to resolves a path against the current page', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.run('go to SITE/about\ngo to /form');
    expect(await a.page()).toEqual({ url: 'SITE/form', title: 'Form' });
  });

  test('go to fails with the line named when a path has no page to resolve against', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run('go to /form');
    expect(result.status).toBe('error');
    expect(result.message?.content).toMatchInlineSnapshot(
      `"Line 1 \`go to /form\` failed: "/form" is not an absolute http(s) URL, and the current page (about:blank) has no http URL to resolve it against."`,
    );
  });

  test('go to fails with the browser reason when nothing listens on the port', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const closed = await closedPortUrl();
    const result = await a.run(`go to ${closed}`);
    expect(result.status).toBe('error');
    expect(result.message?.content).toBe(`Line 1 \`go to ${closed}\` failed: could not open ${closed}: net::ERR_CONNECTION_REFUSED`);
  });
});

describe('click', () => {
  test('click presses the button with exactly that text', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.run('go to SITE/\nclick "Buy now"');
    expect((await a.page()).title).toBe('Clicked');
  });

  test('click follows a link and waits for the new page', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.run('go to SITE/\nclick "About us"');
    expect(await a.page()).toEqual({ url: 'SITE/about', title: 'About' });
  });

  test('click hits plain text when no button or link has it', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.run('go to SITE/\nclick "Plain text target"');
    expect((await a.page()).title).toBe('About');
  });

  test('click falls back to a case-insensitive part of the text', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.run('go to SITE/\nclick "second BUTTON"');
    expect((await a.page()).title).toBe('Second');
  });

  test('click fails with the line, the text and the page when nothing matches', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run('go to SITE/\n\n# the shop has no such button\nclick "Checkout"');
    expect(result.status).toBe('error');
    expect(String(result.message?.content).replaceAll(fx.site, 'SITE')).toMatchInlineSnapshot(
      `"Line 4 \`click "Checkout"\` failed: no visible button, link or text "Checkout" on SITE/ "Home" after 4000 ms."`,
    );
    expect(result.message?.metadata).toEqual({ line: 4, step: 'click "Checkout"' });
  });
});

describe('fill and press', () => {
  test('fill finds fields by label, by placeholder, and picks a <select> option by its label', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run(
      'go to SITE/form\nfill "Your name" with "Ada"\nfill "Email address" with "ada@example.com"\nfill "Size" with "Medium"\nclick "Send"',
    );
    expect(result.status).toBe('finished');
    expect(await a.page()).toEqual({ url: 'SITE/result?name=Ada&email=ada%40example.com&size=m', title: 'Result: name=Ada email=ada@example.com size=m' });
  });

  test('press Enter submits the focused form', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.run('go to SITE/form\nfill "Your name" with "Grace"\npress Enter');
    expect((await a.page()).title).toBe('Result: name=Grace email= size=s');
  });

  test('fill fails with the line named when no field has that label or placeholder', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run('go to SITE/form\nfill "Phone" with "123"');
    expect(String(result.message?.content).replaceAll(fx.site, 'SITE')).toMatchInlineSnapshot(
      `"Line 2 \`fill "Phone" with "123"\` failed: no field labelled or with the placeholder "Phone" on SITE/form "Form" after 4000 ms."`,
    );
  });

  test('press fails with the reason when the key does not exist', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run('press Hyper');
    expect(result.status).toBe('error');
    expect(result.message?.content).toMatch(/^Line 1 `press Hyper` failed: could not press "Hyper": Unknown key: "Hyper"/);
  });
});

describe('wait, done, ask', () => {
  test('wait sleeps for the given milliseconds', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.run('wait 300\ndone "slept"');
    const { messages } = await a.session.messages();
    const thought = messages.find((m) => m.type === 'THOUGHT')!;
    const done = messages.find((m) => m.type === 'DONE')!;
    expect(thought.content).toBe('Waiting 300 ms');
    expect(Date.parse(done.timestamp) - Date.parse(thought.timestamp)).toBeGreaterThanOrEqual(290);
  });

  test('done ends the task with its summary; one THOUGHT per browser step before it', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run('go to SITE/\nclick "About us"\ndone "Read about the shop"');
    expect(result).toMatchObject({ status: 'finished', message: { type: 'DONE', content: 'Read about the shop' } });
    expect(await a.messages()).toEqual([
      'USER go to SITE/\nclick "About us"\ndone "Read about the shop"',
      'THOUGHT Going to SITE/',
      'THOUGHT Clicking "About us"',
      'DONE Read about the shop',
    ]);
  });

  test('a script without done finishes with a DONE that counts its steps', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run('go to SITE/\nwait 1');
    expect(result.message?.content).toBe('Completed 2 steps.');
  });

  test('ask waits for input with a QUESTION; the answer resumes the script as {{answer}}', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const asked = await a.run('go to SITE/form\nask "What is your name?"\nfill "Your name" with "{{answer}}"\nclick "Send"\ndone "Sent for {{answer}}"');
    expect(asked).toMatchObject({ status: 'waiting_for_input', message: { type: 'QUESTION', content: 'What is your name?' } });
    expect(await a.sessionStatus()).toBe('running');

    await a.session.sendMessage('Lovelace');
    const answered = await a.session.waitUntilFinished({ timeout: 20_000 });
    expect(answered).toMatchObject({ status: 'finished', message: { type: 'DONE', content: 'Sent for Lovelace' } });
    expect((await a.page()).title).toBe('Result: name=Lovelace email= size=s');
  });
});

describe('whole scripts', () => {
  test('start_url is opened before the first step', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run('click "About us"', { startUrl: `${fx.site}/` });
    expect(result.status).toBe('finished');
    expect((await a.messages())[1]).toBe('THOUGHT Opening SITE/');
    expect((await a.page()).title).toBe('About');
  });

  test('a message that is not a script ends in error before any step runs, naming the line', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    const result = await a.run('Find me the cheapest flight to Lisbon');
    expect(result.status).toBe('error');
    expect(result.message?.content).toMatchInlineSnapshot(
      `"Line 1 \`Find me the cheapest flight to Lisbon\` is not a step: unknown step "Find"; the emulator runs one step per line: go to <url> | click "<text>" | fill "<label>" with "<value>" | press <Key> | wait <ms> | ask "<question>" | done "<summary>"."`,
    );
    expect(await a.messages()).toHaveLength(2); // USER, ERROR: no THOUGHT, nothing ran
    expect(await a.sessionStatus()).toBe('error');
  });

  test('a session in error takes a new message and runs it', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    expect((await a.run('click "Nowhere"')).status).toBe('error');
    await a.session.sendMessage(`go to ${fx.site}/about`);
    expect((await a.session.waitUntilFinished({ timeout: 20_000 })).status).toBe('finished');
  });

  test('a message sent while a task runs is queued and runs after it', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.session.sendMessage('wait 1000\ndone "first"');
    await a.session.sendMessage('done "second"');
    expect(await a.session.status()).toBe('running');
    const result = await a.session.waitUntilFinished({ timeout: 20_000 });
    expect(result.message?.content).toBe('second');
    expect((await a.messages()).filter((m) => m.startsWith('DONE'))).toEqual(['DONE first', 'DONE second']);
  });
});

describe('pause, resume, cancel', () => {
  test('pause holds the task before its next step until resume', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.session.sendMessage('wait 1000\ndone "after pause"');
    await a.session.pause();
    // Past the 1000 ms step: without the pause, DONE would be posted by now.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(await a.session.status()).toBe('paused');
    expect((await a.messages()).some((m) => m.startsWith('DONE'))).toBe(false);
    await a.session.resume();
    expect((await a.session.waitUntilFinished({ timeout: 20_000 })).message?.content).toBe('after pause');
  });

  test('a second pause and a resume without pause are 409s naming already_paused / not_paused', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await expect(a.session.resume()).rejects.toMatchObject({ status: 409, message: expect.stringContaining('not_paused') });
    await a.session.pause();
    await expect(a.session.pause()).rejects.toMatchObject({ status: 409, message: expect.stringContaining('already_paused') });
    await expect(a.session.sendMessage('done "x"')).rejects.toMatchObject({ status: 409, message: expect.stringContaining('is paused') });
  });

  test('cancel stops a running task at once and leaves the session usable', async (context) => {
    const { expect } = context;
    const a = await agent(context);
    await a.session.sendMessage('wait 30000\ndone "never"');
    await a.session.cancel();
    expect(await a.session.status()).toBe('finished');
    expect((await a.messages()).at(-1)).toBe('LOG Task cancelled.');
    await a.session.sendMessage('done "again"');
    expect((await a.session.waitUntilFinished({ timeout: 20_000 })).message?.content).toBe('again');
    expect((await a.messages()).filter((m) => m.startsWith('DONE'))).toEqual(['DONE again']);
  });
});
});
