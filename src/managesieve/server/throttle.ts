/** Failed-login bookkeeping: growing delays and temporary lock-out, per user and per client address. */

export interface AuthThrottleOptions {
  /** Failures are counted within this window, then forgotten (ms). Default 15 minutes. */
  windowMs: number;
  /** Lock a user name out after this many failures in the window (0 = never). Default 10. */
  maxFailuresPerUser: number;
  /** Lock a client address out after this many failures in the window (0 = never). Default 30. */
  maxFailuresPerAddress: number;
  /** Delay before answering the first failure (ms); doubles with each further one. Default 500. */
  baseDelayMs: number;
  /** Upper bound of that delay (ms). Default 8000. */
  maxDelayMs: number;
  /** Most keys remembered; the oldest are dropped beyond it, so memory stays bounded. Default 100000. */
  maxEntries: number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = {
  windowMs: 15 * 60_000,
  maxFailuresPerUser: 10,
  maxFailuresPerAddress: 30,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxEntries: 100_000,
};

interface Entry {
  count: number;
  since: number;
}

export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();
  readonly options: AuthThrottleOptions;

  constructor(
    options: Partial<AuthThrottleOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_AUTH_THROTTLE, ...options };
  }

  private get(key: string): Entry | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (this.now() - e.since > this.options.windowMs) {
      this.entries.delete(key);
      return null;
    }
    return e;
  }

  private failures(key: string): number {
    return this.get(key)?.count ?? 0;
  }

  /** True when either the address or the user is locked out right now. */
  isLocked(address: string, user: string | null): boolean {
    const { maxFailuresPerAddress: a, maxFailuresPerUser: u } = this.options;
    if (a > 0 && this.failures(`a:${address}`) >= a) return true;
    return user !== null && u > 0 && this.failures(`u:${user}`) >= u;
  }

  /**
   * Takes one attempt for the address and user before their password is checked, so that parallel
   * guesses cannot all pass a lock-out check that none has counted yet: it counts as a failure until
   * `releaseSuccess`. False, with nothing taken, when either is locked out already.
   */
  reserve(address: string, user: string): boolean {
    if (this.isLocked(address, user)) return false;
    this.bump(`a:${address}`);
    this.bump(`u:${user}`);
    return true;
  }

  /** A reserved attempt succeeded: the user's count is cleared and the address's attempt given back. */
  releaseSuccess(address: string, user: string): void {
    this.recordSuccess(user);
    const e = this.get(`a:${address}`);
    if (e && e.count > 0) e.count--;
  }

  recordFailure(address: string, user: string | null): void {
    this.bump(`a:${address}`);
    if (user !== null) this.bump(`u:${user}`);
  }

  /** A successful login clears the user's count (not the address's: one good account must not reset it). */
  recordSuccess(user: string): void {
    this.entries.delete(`u:${user}`);
  }

  /**
   * How long to wait before answering a failure, growing with the failures already seen;
   * `counted` of them are the current attempt's own (a reservation).
   */
  delayMs(address: string, user: string | null, counted = 0): number {
    const n =
      Math.max(this.failures(`a:${address}`), user === null ? 0 : this.failures(`u:${user}`)) - counted;
    if (n === 0 || this.options.baseDelayMs <= 0) return 0;
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(n - 1, 30));
  }

  get size(): number {
    return this.entries.size;
  }

  private bump(key: string): void {
    const e = this.get(key);
    if (e) {
      e.count++;
      return;
    }
    this.entries.set(key, { count: 1, since: this.now() });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
