import { afterEach, beforeEach, expect, inject, test } from 'vitest';
import { AgiClient } from 'vitest-agi';
import type { Session } from 'vitest-agi';

// Agent tests for Tiny Shop. global-setup.ts starts the shop and a local AGI emulator; against the emulator a
// message is a small script (one step a line, see the README), so every run does exactly the same thing.

const agi = new AgiClient({ apiKey: 'demo-key', baseUrl: inject('agiBaseUrl') });
const shop = inject('shopUrl');

let session: Session;

beforeEach(async () => {
  session = await agi.createSession();
});

afterEach(async () => {
  // Always delete: a session holds a browser until it is deleted.
  await session?.delete();
});

test('a customer buys a mug and lands on the thank-you page', async () => {
  await session.sendMessage(
    `click "Buy the mug"
     fill "Name" with "Ada Lovelace"
     fill "Email" with "ada@example.com"
     click "Place order"
     done "Ordered one mug"`,
    { startUrl: shop },
  );

  const { status, message } = await session.waitUntilFinished({ timeout: 30_000 });
  expect(status, `the agent said: ${String(message?.content)}`).toBe('finished');
  await expect(session).toBeOnPage(/thank/i);
  await expect(session).toMatchScreenshot();
});

test('the agent asks for the size, and the answer reaches the order', async () => {
  await session.sendMessage(
    `click "Buy the T-shirt"
     ask "Which size: S, M or L?"
     fill "Size" with "{{answer}}"
     fill "Name" with "Grace Hopper"
     fill "Email" with "grace@example.com"
     click "Place order"`,
    { startUrl: shop },
  );

  const question = await session.waitUntilFinished({ timeout: 30_000 });
  expect(question.status).toBe('waiting_for_input');
  expect(question.message?.content).toBe('Which size: S, M or L?');

  await session.sendMessage('L');
  expect((await session.waitUntilFinished({ timeout: 30_000 })).status).toBe('finished');
  await expect(session).toBeOnPage({ url: /size=L/, title: /thank you/i });
  await expect(session).toMatchScreenshot('t-shirt-ordered');
});

test('the shop front looks the way it did', async () => {
  await session.navigate(shop);
  await expect(session).toBeOnPage({ title: 'Tiny Shop' });
  await expect(session).toMatchScreenshot('shop-front');
});
