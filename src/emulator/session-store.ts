import type { SharedBrowser } from './browser.js';
import { firstLine } from './browser.js';
import { HttpError, sessionNotFound } from './http-error.js';
import { EmulatedSession } from './session.js';
import type { SessionSettings } from './session.js';

/**
 * The open sessions, capped at `maxSessions` across all tokens (they share one Chromium). A session belongs
 * to the token that created it: another token gets 404, as the real API answers for sessions "not owned by
 * the authenticated user" (as the AGI API docs say).
 */
export class SessionStore {
  readonly #sessions = new Map<string, EmulatedSession>();
  /** Creates in flight hold a slot too, so parallel creates cannot overshoot the cap. */
  #opening = 0;

  constructor(
    private readonly browser: SharedBrowser,
    private readonly settings: SessionSettings,
    private readonly maxSessions: number,
  ) {}

  async create(owner: string, agentName: string): Promise<EmulatedSession> {
    const open = this.#sessions.size + this.#opening;
    if (open >= this.maxSessions) {
      throw new HttpError(
        429,
        `Session limit reached: ${open} of ${this.maxSessions} sessions are open. ` +
          'Delete one (DELETE /v1/sessions/{session_id}) or raise maxSessions (--max-sessions).',
      );
    }
    this.#opening++;
    try {
      const session = await EmulatedSession.open(this.browser, owner, agentName, this.settings);
      this.#sessions.set(session.id, session);
      return session;
    } catch (error) {
      throw new HttpError(500, `Could not start a browser for the session: ${firstLine(error)}`);
    } finally {
      this.#opening--;
    }
  }

  get(owner: string, id: string): EmulatedSession {
    const session = this.#sessions.get(id);
    if (session === undefined || session.owner !== owner) throw sessionNotFound(id);
    return session;
  }

  /** The session whose live-view key this is, whoever owns it (the key is the credential), or undefined. */
  findByViewKey(key: string): EmulatedSession | undefined {
    return [...this.#sessions.values()].find((session) => session.viewKey === key);
  }

  list(owner: string): EmulatedSession[] {
    return [...this.#sessions.values()].filter((session) => session.owner === owner);
  }

  /** Returns whether a session was deleted (the API answers 200 either way). */
  async delete(owner: string, id: string): Promise<boolean> {
    const session = this.#sessions.get(id);
    if (session === undefined || session.owner !== owner) return false;
    this.#sessions.delete(id);
    await session.close();
    return true;
  }

  async deleteAll(owner: string): Promise<number> {
    const mine = this.list(owner);
    await Promise.all(mine.map((session) => this.delete(owner, session.id)));
    return mine.length;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(all.map((session) => session.close()));
  }
}
