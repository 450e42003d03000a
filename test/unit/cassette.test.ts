import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { AgiClient } from '../../src/api/client.js';
import { CassetteError, ConfigError, ConnectionError, HttpStatusError } from '../../src/errors.js';
import { startApiServer, type ApiServer } from '../helpers/api-server.js';
import { shot } from '../helpers/fixtures.js';
import { json, startHostileServer } from '../helpers/hostile-server.js';
import { rejectionOf } from '../helpers/messages.js';

// Cassettes in process: a real node:http server, real files in a temp folder, this test's own name as the cassette's.
const KEY = 'sk-cassette-unit-SECRET-93c1';
let dir: string;
let server: ApiServer;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'agi-cassette-'));
  server = await startApiServer({ apiKey: KEY });
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const recorder = () => new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, retries: 0, cassette: { mode: 'record', dir } });
// No key, and a base URL where nothing listens: a replay that went to the network would fail.
const player = () => new AgiClient({ apiKey: '', baseUrl: 'http://127.0.0.1:9/v1', retries: 0, cassette: { mode: 'replay', dir } });

/** Every file under the cassette folder, relative to it. */
async function files(): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

const THIS_FILE = 'test/unit/cassette.test.ts';

describe('recording', () => {
  test('record writes the exchanges to <dir>/<test file>/<test name>.json, the screenshot once beside it by hash', async () => {
    const agi = recorder();
    const session = await agi.createSession();
    server.script(session.id, [{ image: shot('docs.jpg'), url: 'http://shop.test/docs', title: 'Docs' }]);
    await session.sendMessage('go to /docs', { startUrl: 'http://shop.test/' });
    await session.screenshot();
    await session.screenshot();

    const hash = createHash('sha256').update(shot('docs.jpg')).digest('hex').slice(0, 32);
    expect(await files()).toEqual([
      `${THIS_FILE}/${hash}.jpg`,
      `${THIS_FILE}/recording-record-writes-the-exchanges-to-dir-test-file-test-name-.json-the-screenshot-once-beside-it--${hashOf('recording > record writes the exchanges to <dir>/<test file>/<test name>.json, the screenshot once beside it by hash')}.json`,
    ]);
    expect(await readFile(path.join(dir, THIS_FILE, `${hash}.jpg`))).toEqual(shot('docs.jpg'));
    const cassette = JSON.parse(await readFile(path.join(dir, (await files())[1]!), 'utf8'));
    expect(cassette.format).toBe('vitest-agi-cassette/1');
    expect(cassette.test).toBe(`${THIS_FILE} > recording > record writes the exchanges to <dir>/<test file>/<test name>.json, the screenshot once beside it by hash`);
    expect(cassette.interactions.map((i: { request: unknown }) => i.request)).toEqual([
      { method: 'POST', path: '/sessions', body: {} },
      { method: 'POST', path: `/sessions/${session.id}/message`, body: { message: 'go to /docs', start_url: 'http://shop.test/' } },
      { method: 'GET', path: `/sessions/${session.id}/screenshot` },
      { method: 'GET', path: `/sessions/${session.id}/screenshot` },
    ]);
    expect(cassette.interactions[2].response).toEqual({
      status: 200,
      contentType: 'application/json',
      json: { screenshot: { file: `${hash}.jpg`, prefix: 'data:image/jpeg;base64,' }, url: 'http://shop.test/docs', title: 'Docs' },
    });
    // The server saw the key; no file has it, nor an Authorization header.
    expect(server.requests.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    for (const file of await files()) {
      const bytes = await readFile(path.join(dir, file));
      expect(bytes.includes(KEY), file).toBe(false);
      expect(bytes.toString('latin1').toLowerCase().includes('authorization'), file).toBe(false);
    }
  });

  test('a server that echoes the key is recorded with the key redacted', async () => {
    const hostile = await startHostileServer();
    try {
      hostile.script(json(200, { session_id: 's1', echo: `Bearer ${KEY}` }), json(500, { detail: `bad token ${KEY}` }));
      const agi = new AgiClient({ apiKey: KEY, baseUrl: hostile.baseUrl, retries: 0, cassette: { mode: 'record', dir } });
      const session = await agi.createSession();
      await rejectionOf(session.sendMessage('hi'));
    } finally {
      await hostile.close();
    }
    const [file] = await files();
    const text = await readFile(path.join(dir, file!), 'utf8');
    expect(text.includes(KEY)).toBe(false);
    expect(JSON.parse(text).interactions.map((i: { response: unknown }) => i.response)).toEqual([
      { status: 200, contentType: 'application/json', json: { session_id: 's1', echo: 'Bearer [redacted]' } },
      { status: 500, contentType: 'application/json', json: { detail: 'bad token [redacted]' } },
    ]);
  });

  test('a request made without a key fails as it would without a cassette, and nothing is recorded', async () => {
    const agi = new AgiClient({ apiKey: '', baseUrl: server.baseUrl, retries: 0, cassette: { mode: 'record', dir } });
    const error = await rejectionOf(agi.createSession());
    expect(error).toBeInstanceOf(ConfigError);
    expect(await files()).toEqual([]);
  });
});

describe('replaying', () => {
  test('replay answers from the cassette with no server and no key, byte for byte; polls beyond it repeat the last answer', async () => {
    const agi = recorder();
    const session = await agi.createSession();
    server.script(session.id, [{ image: shot('docs.jpg'), url: 'http://shop.test/docs', title: 'Docs' }, { image: shot('thanks.jpg'), url: 'http://shop.test/thanks', title: 'Thanks' }]);
    server.scriptStatus(session.id, ['running', 'finished']);
    await session.sendMessage('buy');
    const recorded = [await session.screenshot(), await session.screenshot()];
    const statuses = [await session.status(), await session.status()];
    await server.close();

    const replay = player();
    const again = await replay.createSession();
    expect(again.id).toBe(session.id);
    await again.sendMessage('buy');
    const shots = [await again.screenshot(), await again.screenshot(), await again.screenshot()];
    expect(shots.map((s) => s.bytes)).toEqual([recorded[0]!.bytes, recorded[1]!.bytes, recorded[1]!.bytes]);
    expect(shots.map((s) => s.title)).toEqual(['Docs', 'Thanks', 'Thanks']);
    expect([await again.status(), await again.status(), await again.status()]).toEqual([...statuses, 'finished']);
  });

  test('recorded failures replay as the same errors: a 503 and a reset connection', async () => {
    const agi = recorder();
    const session = await agi.createSession();
    server.script(session.id, ['unavailable', 'reset']);
    const recorded = [await rejectionOf(session.screenshot()), await rejectionOf(session.screenshot())];
    expect(recorded[0]).toBeInstanceOf(HttpStatusError);
    expect(recorded[1]).toBeInstanceOf(ConnectionError);

    const again = player().session(session.id);
    const replayed = [await rejectionOf(again.screenshot()), await rejectionOf(again.screenshot())];
    expect(replayed[0]).toBeInstanceOf(HttpStatusError);
    expect(replayed[0]!.message).toBe(recorded[0]!.message);
    expect(replayed[1]).toBeInstanceOf(ConnectionError);
    expect(replayed[1]!.message.replace('127.0.0.1:9', 'HOST')).toBe(recorded[1]!.message.replace(/127\.0\.0\.1:\d+/, 'HOST'));
  });

  test('a write the cassette has already answered is not answered twice', async () => {
    const session = await recorder().createSession();
    await session.sendMessage('once');
    const again = player().session(session.id);
    await again.sendMessage('once');
    const error = await rejectionOf(again.sendMessage('once'));
    expect(error).toBeInstanceOf(CassetteError);
    expect((error as CassetteError).code).toBe('AGI_CASSETTE_UNMATCHED');
    expect(error.message.replace(session.id, 'ID').replace(/--[0-9a-f]{8}/, '--HASH').replace(/\S*agi-cassette-\w+/, 'DIR')).toMatchInlineSnapshot(`"POST /sessions/ID/message {"message":"once"} is not in the cassette DIR/test/unit/cassette.test.ts/replaying-a-write-the-cassette-has-already-answered-is-not-answered-twice--HASH.json: its one such request was answered already (the test now sends it more often). Re-record it with \`AGI_CASSETTE=record npx vitest run test/unit/cassette.test.ts -t "replaying a write the cassette has already answered is not answered twice"\`, review the cassette's diff and commit it."`);
  });

  test('replay without a cassette fails before any request, naming the file and how to record it', async () => {
    const error = await rejectionOf(player().createSession());
    expect(error).toBeInstanceOf(CassetteError);
    expect((error as CassetteError).code).toBe('AGI_CASSETTE_MISSING');
    expect(error.message.replace(/--[0-9a-f]{8}/, '--HASH').replace(/\S*agi-cassette-\w+/, 'DIR')).toMatchInlineSnapshot(`"No cassette at DIR/test/unit/cassette.test.ts/replaying-replay-without-a-cassette-fails-before-any-request-naming-the-file-and-how-to-record-it--HASH.json for "test/unit/cassette.test.ts > replaying > replay without a cassette fails before any request, naming the file and how to record it", and AGI_CASSETTE=replay answers only from a cassette. Record it locally with \`AGI_CASSETTE=record npx vitest run test/unit/cassette.test.ts -t "replaying replay without a cassette fails before any request, naming the file and how to record it"\` and commit it."`);
  });
});

describe('outside a test', () => {
  let hooksDir: string;
  let hookSession: string;
  beforeAll(async () => {
    hooksDir = await mkdtemp(path.join(tmpdir(), 'agi-cassette-hooks-'));
    const hooks = await startApiServer({ apiKey: KEY });
    const agi = new AgiClient({ apiKey: KEY, baseUrl: hooks.baseUrl, retries: 0, cassette: { mode: 'record', dir: hooksDir } });
    hookSession = (await agi.createSession()).id;
    await hooks.close();
  });
  afterAll(() => rm(hooksDir, { recursive: true, force: true }));

  test('a beforeAll records into the test file\'s (hooks).json, a name no test can have', async () => {
    const cassette = JSON.parse(await readFile(path.join(hooksDir, THIS_FILE, '(hooks).json'), 'utf8'));
    expect(cassette.test).toBe(`${THIS_FILE} > (beforeAll/afterAll)`);
    expect(cassette.interactions.map((i: { request: unknown; response: { json: { session_id: string } } }) => [i.request, i.response.json.session_id])).toEqual([
      [{ method: 'POST', path: '/sessions', body: {} }, hookSession],
    ]);
  });
});

describe('choosing a mode', () => {
  test('AGI_CASSETTE picks the mode when the client is not given one; an unknown mode names the variable', () => {
    const saved = process.env.AGI_CASSETTE;
    try {
      process.env.AGI_CASSETTE = 'rewind';
      expect(() => new AgiClient({ apiKey: KEY })).toThrowErrorMatchingInlineSnapshot(`[ConfigError: AGI_CASSETTE must be one of "record", "replay", "auto", "off", but is "rewind".]`);
      expect(() => new AgiClient({ apiKey: KEY, cassette: 'later' as never })).toThrowErrorMatchingInlineSnapshot(`[ConfigError: \`cassette\` must be one of "record", "replay", "auto", "off", but is "later".]`);
    } finally {
      if (saved === undefined) delete process.env.AGI_CASSETTE;
      else process.env.AGI_CASSETTE = saved;
    }
  });

  test('auto records a missing cassette, which a replay then answers from', async () => {
    vi.stubEnv('CI', ''); // auto records only outside CI (CI itself: test/e2e/cassettes.test.ts)
    const auto = () => new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, retries: 0, cassette: { mode: 'auto', dir } });
    const first = await auto().createSession();
    expect(server.requests).toHaveLength(1);
    // A second client in the same test shares the recording; a replay client reads what was written.
    const replayed = await player().createSession();
    expect(replayed.id).toBe(first.id);
    expect(server.requests).toHaveLength(1);
  });
});

function hashOf(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
}
