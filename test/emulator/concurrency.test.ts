import jpeg from 'jpeg-js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Session } from '../../src/index.js';
import { startFixture } from './fixture.js';
import type { Fixture } from './fixture.js';

// Sessions share one Chromium but nothing else: pages, cookies, messages and statuses stay apart, and an
// unchanged page gives the same JPEG bytes every time.

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

const COLORS: Array<[name: string, rgb: [number, number, number]]> = [
  ['red', [255, 0, 0]],
  ['lime', [0, 255, 0]],
  ['blue', [0, 0, 255]],
  ['yellow', [255, 255, 0]],
  ['black', [0, 0, 0]],
];

test('five sessions running scripts at once keep their pages, cookies and messages apart', async () => {
  const sessions: Session[] = await Promise.all(COLORS.map(() => fx.agi.createSession()));
  try {
    await Promise.all(
      sessions.map((session, i) => {
        const [color] = COLORS[i]!;
        // Each sets a cookie named the same, then reads back what its own browser context sends.
        return session.sendMessage(
          [`go to ${fx.site}/cookie/set?v=${color}`, `go to ${fx.site}/cookie`, `done "${color}"`].join('\n'),
        );
      }),
    );
    const results = await Promise.all(sessions.map((session) => session.waitUntilFinished({ timeout: 30_000 })));
    expect(results.map((r) => [r.status, r.message?.content])).toEqual(COLORS.map(([color]) => ['finished', color]));

    const cookies = await Promise.all(sessions.map(async (session) => (await session.screenshot()).title));
    expect(cookies).toEqual(COLORS.map(([color]) => `cookie v=${color}`));

    for (const [i, session] of sessions.entries()) {
      const { messages } = await session.messages();
      const others = COLORS.filter((_, j) => j !== i).map(([color]) => color);
      expect(messages.filter((m) => others.some((color) => String(m.content).includes(`v=${color}`)))).toEqual([]);
    }

    // The screenshots, taken at once, each show their own session's page.
    await Promise.all(sessions.map((session, i) => session.navigate(`${fx.site}/color/${COLORS[i]![0]}`)));
    const shots = await Promise.all(sessions.map((session) => session.screenshot()));
    for (const [i, shot] of shots.entries()) {
      const [name, rgb] = COLORS[i]!;
      expect(shot.title).toBe(name);
      const { data, width } = jpeg.decode(shot.bytes, { useTArray: true });
      const offset = (600 * width + 640) * 4; // well below the heading
      for (const [channel, expected] of rgb.entries()) expect(Math.abs(data[offset + channel]! - expected)).toBeLessThan(8);
    }
  } finally {
    await Promise.all(sessions.map((session) => session.delete()));
  }
});

test('an unchanged page gives byte-identical screenshots: twice, after a reload, and in another session', async () => {
  const [a, b] = await Promise.all([fx.agi.createSession(), fx.agi.createSession()]);
  try {
    await a.navigate(`${fx.site}/form`);
    const first = await a.screenshot();
    const second = await a.screenshot();
    expect(second.bytes.equals(first.bytes)).toBe(true);

    await a.navigate(`${fx.site}/form`);
    expect((await a.screenshot()).bytes.equals(first.bytes)).toBe(true);

    await b.navigate(`${fx.site}/form`);
    expect((await b.screenshot()).bytes.equals(first.bytes)).toBe(true);

    // And a different page is different bytes (the comparison above is not vacuous).
    await b.navigate(`${fx.site}/about`);
    expect((await b.screenshot()).bytes.equals(first.bytes)).toBe(false);
  } finally {
    await Promise.all([a.delete(), b.delete()]);
  }
});
