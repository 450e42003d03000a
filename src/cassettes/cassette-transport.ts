import { CassetteError, ConfigError, UsageError } from '../errors.js';
import { currentTest } from '../vitest/current-test.js';
import { isCI } from '../vitest/update-mode.js';
import type { Clock, HttpAnswer, HttpAttempt, Transport } from '../api/transport.js';
import {
  CASSETTE_FORMAT,
  cassetteExists,
  loadAnswer,
  readCassette,
  resolveCassettePath,
  storeAnswer,
  writeCassette,
  type CassettePath,
  type Interaction,
} from './cassette-file.js';

/**
 * `record`: every exchange of a test goes to the network and into its cassette. `replay`: answered from the cassette,
 * no network, no key, no waiting. `auto`: replay if the cassette exists, else record (in CI, a missing one fails).
 */
export type CassetteMode = 'record' | 'replay' | 'auto' | 'off';

export interface CassetteOptions {
  /** @default process.env.AGI_CASSETTE ?? 'off' */
  mode?: CassetteMode;
  /** Where cassettes live, relative to the project root. @default process.env.AGI_CASSETTE_DIR ?? 'cassettes' */
  dir?: string;
}

const MODES: readonly CassetteMode[] = ['record', 'replay', 'auto', 'off'];
const DEFAULT_DIR = 'cassettes';

/** The cassette the client's option or AGI_CASSETTE asks for, or undefined for `off` (straight to the network). */
export function resolveCassette(option: CassetteMode | CassetteOptions | undefined, realClock: Clock, env: Record<string, string | undefined> = process.env): Transport | undefined {
  const given = typeof option === 'string' ? { mode: option } : (option ?? {});
  if (typeof given !== 'object' || given === null) throw new ConfigError(`\`cassette\` must be one of ${MODES.map((m) => `"${m}"`).join(', ')} or { mode, dir }.`);
  const source = given.mode !== undefined ? '`cassette`' : 'AGI_CASSETTE';
  const mode = (given.mode ?? (env.AGI_CASSETTE || 'off')) as CassetteMode;
  if (!MODES.includes(mode)) {
    throw new ConfigError(`${source} must be one of ${MODES.map((m) => `"${m}"`).join(', ')}, but is ${JSON.stringify(String(mode).slice(0, 40))}.`);
  }
  const dir = given.dir ?? (env.AGI_CASSETTE_DIR || DEFAULT_DIR);
  if (typeof dir !== 'string' || dir === '') throw new ConfigError('`cassette.dir` must be a non-empty path.');
  return mode === 'off' ? undefined : new CassetteTransport(mode, dir, realClock, isCI(env));
}

type State = RecordingState | ReplayState | MissingState;

interface Common {
  where: CassettePath;
  /** The real time of the first reading or exchange. */
  origin: number;
}

interface RecordingState extends Common {
  kind: 'record';
  interactions: Interaction[];
  clock: number[];
  images: Map<string, Buffer>;
  /** Writes one after another, so an older one never lands last. */
  writing: Promise<void>;
}

interface ReplayState extends Common {
  kind: 'replay';
  recorded: Interaction[];
  /** Per method, path and body: the interactions in recorded order, and how many were served. */
  queues: Map<string, { interactions: Interaction[]; served: number }>;
  clock: number[];
  clockRead: number;
  /** The time shown once the recorded readings run out: it moves on only by the waits asked for. */
  now: number;
}

interface MissingState extends Common {
  kind: 'missing';
  reason: 'replay' | 'ci';
}

// One state per mode, cassette file and try, shared by the worker's clients (two clients in a test write one file).
const states = new Map<string, State>();

class CassetteTransport implements Transport {
  readonly clock: Clock;

  constructor(
    readonly mode: Exclude<CassetteMode, 'off'>,
    readonly dir: string,
    readonly realClock: Clock,
    readonly ci: boolean,
  ) {
    this.clock = {
      now: () => this.#now(),
      sleep: (ms) => this.#sleep(ms),
    };
  }

  async send(attempt: HttpAttempt, network: () => Promise<HttpAnswer>): Promise<HttpAnswer> {
    const state = this.#state();
    if (state === undefined) return network(); // outside Vitest: nothing to name a cassette after
    switch (state.kind) {
      case 'missing':
        throw missingError(state);
      case 'replay':
        return this.#replay(state, attempt);
      case 'record':
        return this.#record(state, attempt, network);
    }
  }

  async #record(state: RecordingState, attempt: HttpAttempt, network: () => Promise<HttpAnswer>): Promise<HttpAnswer> {
    const { redact } = attempt;
    const request = storedRequest(attempt, redact);
    let interaction: Interaction;
    let answer: HttpAnswer | undefined;
    let failure: unknown;
    try {
      answer = await network();
      const body = answer.body && { ...answer.body, text: redact(answer.body.text) };
      interaction = { request, response: storeAnswerOf({ ...answer, body }, attempt, state), atMs: this.#elapsed(state) };
    } catch (error) {
      if (error instanceof UsageError) throw error; // no key, a bad key: nothing the API answered
      failure = error;
      const { name = 'Error', code, message = String(error) } = error as { name?: string; code?: string; message?: string };
      interaction = { request, error: { name, ...(code === undefined ? {} : { code }), message: redact(message).slice(0, 500) }, atMs: this.#elapsed(state) };
    }
    state.interactions.push(interaction);
    await this.#write(state);
    if (failure !== undefined) throw failure;
    return answer!;
  }

  async #replay(state: ReplayState, attempt: HttpAttempt): Promise<HttpAnswer> {
    const key = keyOf(attempt.method, attempt.path, parseBody(attempt.body));
    const queue = state.queues.get(key);
    let interaction: Interaction | undefined;
    if (queue && queue.served < queue.interactions.length) interaction = queue.interactions[queue.served++];
    // A poll or screenshot beyond the recording sees what the last one saw; a write beyond it is not in the cassette.
    else if (queue && attempt.method === 'GET') interaction = queue.interactions.at(-1);
    if (!interaction) throw unmatchedError(state, attempt);
    await new Promise<void>((resolve) => setImmediate(resolve)); // at full speed, but never starving the event loop
    if (interaction.error) throw Object.assign(new Error(interaction.error.message), { name: interaction.error.name, code: interaction.error.code });
    return loadAnswer(interaction.response!, state.where);
  }

  #now(): number {
    const state = this.#state();
    if (state === undefined || state.kind === 'missing') return this.realClock.now();
    if (state.kind === 'record') {
      const now = this.realClock.now();
      state.clock.push(now - state.origin);
      return now;
    }
    if (state.clockRead < state.clock.length) state.now = state.origin + state.clock[state.clockRead++]!;
    return state.now;
  }

  async #sleep(ms: number): Promise<void> {
    const state = this.#state();
    if (state?.kind !== 'replay') {
      await this.realClock.sleep(ms);
      return;
    }
    if (state.clockRead >= state.clock.length) state.now += ms;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  #elapsed(state: Common): number {
    return this.realClock.now() - state.origin;
  }

  /** The current test's cassette, opened on first use: replayed, recorded afresh, or missing. */
  #state(): State | undefined {
    const test = currentTest();
    if (!test) return undefined;
    const where = resolveCassettePath({ root: test.root, dir: this.dir, testPath: test.testPath, testName: test.testName });
    const key = `${this.mode}\n${where.file}\n${test.attempt}`;
    const known = states.get(key);
    if (known) return known;
    const origin = this.realClock.now();
    const exists = cassetteExists(where);
    let state: State;
    if (this.mode === 'replay' || (this.mode === 'auto' && exists)) {
      if (!exists) state = { kind: 'missing', reason: 'replay', where, origin };
      else {
        const data = readCassette(where);
        const queues = new Map<string, { interactions: Interaction[]; served: number }>();
        for (const interaction of data.interactions) {
          const k = keyOf(interaction.request.method, interaction.request.path, interaction.request.body);
          const queue = queues.get(k) ?? { interactions: [], served: 0 };
          queue.interactions.push(interaction);
          queues.set(k, queue);
        }
        state = { kind: 'replay', where, origin, recorded: data.interactions, queues, clock: data.clock, clockRead: 0, now: origin };
      }
    } else if (this.mode === 'auto' && this.ci) {
      state = { kind: 'missing', reason: 'ci', where, origin };
    } else {
      state = { kind: 'record', where, origin, interactions: [], clock: [], images: new Map(), writing: Promise.resolve() };
    }
    states.set(key, state);
    // The test is over: write the last clock readings, and let a rerun in this worker (watch mode) start afresh.
    test.onFinished?.(async () => {
      states.delete(key);
      if (state.kind === 'record' && state.interactions.length > 0) await this.#write(state);
    });
    return state;
  }

  #write(state: RecordingState): Promise<void> {
    const data = { format: CASSETTE_FORMAT, test: state.where.label, interactions: state.interactions, clock: state.clock } as const;
    state.writing = state.writing.then(() => writeCassette(state.where, { ...data, clock: [...data.clock], interactions: [...data.interactions] }, state.images));
    return state.writing;
  }
}

function storeAnswerOf(answer: HttpAnswer, attempt: HttpAttempt, state: RecordingState) {
  const isScreenshot = attempt.method === 'GET' && /\/screenshot(\?|$)/.test(attempt.path);
  return storeAnswer(answer, isScreenshot, state.images);
}

function storedRequest(attempt: HttpAttempt, redact: (text: string) => string): Interaction['request'] {
  const body = attempt.body === undefined ? undefined : parseBody(redact(attempt.body));
  return { method: attempt.method, path: redact(attempt.path), ...(body === undefined ? {} : { body }) };
}

function parseBody(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function keyOf(method: string, path: string, body: unknown): string {
  return `${method} ${path} ${body === undefined ? '' : JSON.stringify(body)}`;
}

/** The command that records this cassette: its test file, and its test by name (`-t` takes a pattern of the names joined by spaces). */
function recordCommand(where: CassettePath): string {
  const [file, ...names] = where.label.split(' > ');
  const pattern = names.join(' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const filter = where.label.endsWith('(beforeAll/afterAll)') ? '' : ` -t ${JSON.stringify(pattern)}`;
  return `AGI_CASSETTE=record npx vitest run ${file}${filter}`;
}

function missingError(state: MissingState): CassetteError {
  const { where } = state;
  const why =
    state.reason === 'ci'
      ? 'and cassettes are not recorded in CI (AGI_CASSETTE=auto with CI set)'
      : 'and AGI_CASSETTE=replay answers only from a cassette';
  return new CassetteError(
    `No cassette at ${where.shown} for "${where.label}", ${why}. Record it locally with \`${recordCommand(where)}\` and commit it.`,
    where.shown,
    'AGI_CASSETTE_MISSING',
  );
}

function unmatchedError(state: ReplayState, attempt: HttpAttempt): CassetteError {
  const body = attempt.body === undefined ? '' : ` ${attempt.body.length > 120 ? `${attempt.body.slice(0, 120)}…` : attempt.body}`;
  const key = keyOf(attempt.method, attempt.path, parseBody(attempt.body));
  const same = state.queues.get(key)?.interactions.length ?? 0;
  const samePath = state.recorded.filter((i) => i.request.method === attempt.method && i.request.path === attempt.path).length;
  const why =
    same > 0
      ? `${same === 1 ? 'its one such request was' : `its ${same} such requests were all`} answered already (the test now sends it more often)`
      : samePath > 0
        ? `it has ${samePath} ${attempt.method} ${attempt.path} with another body`
        : `it has no ${attempt.method} ${attempt.path}`;
  return new CassetteError(
    `${attempt.method} ${attempt.path}${body} is not in the cassette ${state.where.shown}: ${why}. Re-record it with \`${recordCommand(state.where)}\`, review the cassette's diff and commit it.`,
    state.where.shown,
    'AGI_CASSETTE_UNMATCHED',
  );
}
