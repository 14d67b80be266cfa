import { createHmac, randomBytes } from 'node:crypto';

/** Settings in the spirit of Dovecot's auth_cache_size / auth_cache_ttl / auth_cache_negative_ttl. */
export interface AuthCacheOptions {
  /** Most entries kept; the least recently used goes first. 0 disables the cache. */
  size: number;
  /** Lifetime of a successful verification, in ms. */
  ttlMs: number;
  /** Lifetime of a failed verification, in ms; 0 keeps no failures. */
  negativeTtlMs: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Entry {
  user: string;
  ok: boolean;
  expires: number;
}

/**
 * Caches password verification results. Keys are HMAC-SHA256 of user and password under a random
 * per-process key, so a memory dump reveals neither the passwords nor a hash that could be attacked
 * offline. A cached failure only makes the answer fast: callers still count it as a failure.
 */
export class AuthCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly opts: AuthCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  private keyFor(user: string, password: string): string {
    // The NUL separator keeps ("ab","c") and ("a","bc") apart.
    return createHmac('sha256', this.key).update(user).update('\0').update(password).digest('base64');
  }

  /** The cached result, or undefined when none is valid. */
  get(user: string, password: string): boolean | undefined {
    if (this.opts.size <= 0) return undefined;
    const k = this.keyFor(user, password);
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(k);
      return undefined;
    }
    // Re-insert to mark as most recently used.
    this.entries.delete(k);
    this.entries.set(k, e);
    return e.ok;
  }

  set(user: string, password: string, ok: boolean): void {
    if (this.opts.size <= 0) return;
    const ttl = ok ? this.opts.ttlMs : this.opts.negativeTtlMs;
    if (ttl <= 0) return;
    const k = this.keyFor(user, password);
    this.entries.delete(k);
    this.entries.set(k, { user, ok, expires: this.now() + ttl });
    while (this.entries.size > this.opts.size) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Drops every entry of one user, e.g. when their passwd-file line changed. */
  flushUser(user: string): void {
    for (const [k, e] of this.entries) if (e.user === user) this.entries.delete(k);
  }

  flush(): void {
    this.entries.clear();
  }

  get count(): number {
    return this.entries.size;
  }
}
