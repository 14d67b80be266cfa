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
  /** Password checks in flight per key, taken by `acquire` and given back by `settle`. */
  private readonly pending = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];
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
   * Takes a slot for one password check of `user` from `address`, before the check: checks in flight
   * count against the limits as failures would, so parallel guesses cannot all pass a lock-out test
   * that none of them has failed yet. While the failures and the checks in flight fill a limit, the
   * call waits for one of those checks to settle. Resolves false when the address or user is locked out.
   * Every true must be followed by one `settle`.
   */
  async acquire(address: string, user: string): Promise<boolean> {
    const { maxFailuresPerAddress: maxA, maxFailuresPerUser: maxU } = this.options;
    const ka = `a:${address}`;
    const ku = `u:${user}`;
    for (;;) {
      if (this.isLocked(address, user)) return false;
      const fullA = maxA > 0 && this.failures(ka) + this.pendingOf(ka) >= maxA;
      const fullU = maxU > 0 && this.failures(ku) + this.pendingOf(ku) >= maxU;
      if (!fullA && !fullU) break;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.pending.set(ka, this.pendingOf(ka) + 1);
    this.pending.set(ku, this.pendingOf(ku) + 1);
    return true;
  }

  /** Ends an acquired check: a failure is counted, a success clears the user's count, `abandoned` neither. */
  settle(address: string, user: string, outcome: 'success' | 'failure' | 'abandoned'): void {
    for (const key of [`a:${address}`, `u:${user}`]) {
      const n = this.pendingOf(key) - 1;
      if (n > 0) this.pending.set(key, n);
      else this.pending.delete(key);
    }
    if (outcome === 'failure') this.recordFailure(address, user);
    else if (outcome === 'success') this.recordSuccess(user);
    // Few sessions wait at once (one per connection), so waking them all to re-check is cheap.
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Password checks in flight. */
  get inFlight(): number {
    let n = 0;
    for (const [k, v] of this.pending) if (k.startsWith('a:')) n += v;
    return n;
  }

  private pendingOf(key: string): number {
    return this.pending.get(key) ?? 0;
  }

  recordFailure(address: string, user: string | null): void {
    this.bump(`a:${address}`);
    if (user !== null) this.bump(`u:${user}`);
  }

  /** A successful login clears the user's count (not the address's: one good account must not reset it). */
  recordSuccess(user: string): void {
    this.entries.delete(`u:${user}`);
  }

  /** How long to wait before answering a failure, growing with the failures already seen. */
  delayMs(address: string, user: string | null): number {
    const n = Math.max(this.failures(`a:${address}`), user === null ? 0 : this.failures(`u:${user}`));
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
