/**
 * Logged-in sessions, in memory: bounded in number, ended after idle and absolute timeouts, swept
 * on a timer. The cookie is `ID.KEY`; the server keeps only a hash of KEY, and KEY opens the sealed
 * password, so neither a memory dump nor a guessed ID yields a usable session.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newKey, seal, type Sealed } from './seal.js';
import type { SieveLink } from './connection.js';

export interface Session {
  id: string;
  user: string;
  csrfToken: string;
  createdAt: number;
  lastUsedAt: number;
  sealed: Sealed;
  keyHash: Buffer;
  /** What the login answered, given again by GET /api/session. */
  extensions: string[];
  maxRedirects: number | undefined;
  link: SieveLink;
}

export interface SessionTimes {
  idleMs: number;
  maxAgeMs: number;
  maxSessions: number;
}

const hashKey = (key: Buffer): Buffer => createHash('sha256').update(key).digest();

/** Splits a cookie value `ID.KEY`; null when it does not have that form. */
export function parseCookie(value: string | undefined): { id: string; key: Buffer } | null {
  if (!value || value.length > 200) return null;
  const m = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value);
  return m ? { id: m[1]!, key: Buffer.from(m[2]!, 'base64url') } : null;
}

export class SessionStore {
  // Kept in order of last use, so the first entry is the one idle longest.
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly times: SessionTimes,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session; returns it with the cookie value and the key the password is sealed with. */
  create(
    user: string,
    password: string,
    link: SieveLink,
    login: { extensions: string[]; maxRedirects: number | undefined },
  ): { session: Session; cookie: string; key: Buffer } {
    this.sweep();
    while (this.sessions.size >= this.times.maxSessions) {
      const oldest = this.sessions.values().next().value as Session;
      this.end(oldest.id);
    }
    const id = randomBytes(16).toString('base64url');
    const key = newKey();
    const t = this.now();
    const session: Session = {
      id,
      user,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: t,
      lastUsedAt: t,
      sealed: seal(password, key),
      keyHash: hashKey(key),
      extensions: login.extensions,
      maxRedirects: login.maxRedirects,
      link,
    };
    this.sessions.set(id, session);
    return { session, cookie: `${id}.${key.toString('base64url')}`, key };
  }

  /** The live session a cookie names (and it is marked used), or null. */
  find(cookie: string | undefined): { session: Session; key: Buffer } | null {
    const parsed = parseCookie(cookie);
    if (!parsed) return null;
    const session = this.sessions.get(parsed.id);
    if (!session || !timingSafeEqual(hashKey(parsed.key), session.keyHash)) return null;
    if (this.expired(session, this.now())) {
      this.end(session.id);
      return null;
    }
    session.lastUsedAt = this.now();
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
    return { session, key: parsed.key };
  }

  end(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    s.link.close();
  }

  /** Ends every expired session. */
  sweep(): void {
    const t = this.now();
    for (const s of [...this.sessions.values()]) if (this.expired(s, t)) this.end(s.id);
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.end(id);
  }

  private expired(s: Session, t: number): boolean {
    return t - s.lastUsedAt > this.times.idleMs || t - s.createdAt > this.times.maxAgeMs;
  }
}
