import { connect, type Socket } from 'node:net';

export interface ManageSieveLoadOptions {
  host?: string;
  port: number;
  /** Concurrent sessions (all opened at once). Default 100. */
  sessions?: number;
  user: string;
  password: string;
  /** Give each session its own user (`${user}${i % users}`), e.g. to avoid one user's write lock. Default 1 (shared). */
  users?: number;
  /** Script uploaded by each session (default: a small valid script). */
  script?: string;
  /** Per-session deadline (ms). Default 60000. */
  timeoutMs?: number;
  /**
   * Make every session wait after logging in until all of them are logged in (or have failed), so the
   * server has to hold `sessions` authenticated sessions at once. Default false.
   */
  hold?: boolean;
  /** With `hold`: called once every session is logged in, before any goes on (e.g. to read the server's memory). */
  whenAllLoggedIn?: () => Promise<void>;
}

export interface ManageSieveLoadResult {
  sessions: number;
  seconds: number;
  sessionsPerSecond: number;
  /** Most sessions logged in at the same moment (between the OK to AUTHENTICATE and the end of the session). */
  peakLoggedIn: number;
  /** Session latency (connect to the OK of LOGOUT), in ms: median and 99th percentile. */
  p50Ms: number;
  p99Ms: number;
}

/** What the sessions of one run share: the logged-in count and the `hold` rendezvous. */
class Run {
  loggedIn = 0;
  peak = 0;
  private settled = 0; // logged in or failed before logging in
  private release: (() => void) | null = null;
  readonly allLoggedIn: Promise<void>;
  /** What held sessions wait for: everyone logged in, then the `whenAllLoggedIn` hook. */
  gate: Promise<void> = Promise.resolve();
  constructor(readonly total: number) {
    this.allLoggedIn = new Promise((r) => (this.release = r));
  }
  enter(): void {
    this.peak = Math.max(this.peak, ++this.loggedIn);
    this.settle();
  }
  leave(): void {
    this.loggedIn--;
  }
  settle(): void {
    if (++this.settled === this.total) this.release?.();
  }
}

const DEFAULT_SCRIPT =
  'require ["fileinto"];\r\nif header :contains "subject" "load" {\r\n  fileinto "Load";\r\n}\r\n';

/** Minimal protocol reader: replies end with an OK/NO/BYE line; `{N}` literals are skipped by length. */
class Conn {
  private buf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private closed = false;
  private reason = '';
  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', (err) => {
      this.reason = err.message;
    });
  }
  private async more(): Promise<void> {
    if (this.closed) throw new Error(`connection closed${this.reason ? ` (${this.reason})` : ' by server'}`);
    await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
  }
  /** Reads one reply; returns its result line (OK/NO/BYE ...) and the literal payloads seen on the way. */
  async reply(): Promise<{ result: string; literals: Buffer[] }> {
    const literals: Buffer[] = [];
    for (;;) {
      let i: number;
      while ((i = this.buf.indexOf('\r\n')) < 0) await this.more();
      const line = this.buf.subarray(0, i).toString('utf8');
      this.buf = this.buf.subarray(i + 2);
      const m = /\{(\d+)\}$/.exec(line);
      if (m) {
        const n = Number(m[1]);
        while (this.buf.length < n) await this.more();
        literals.push(Buffer.from(this.buf.subarray(0, n)));
        this.buf = this.buf.subarray(n);
        continue; // the line goes on after the literal
      }
      if (/^(OK|NO|BYE)\b/i.test(line)) return { result: line, literals };
    }
  }
  async cmd(data: string): Promise<{ result: string; literals: Buffer[] }> {
    this.socket.write(data);
    return this.reply();
  }
}

async function oneSession(
  o: Required<Omit<ManageSieveLoadOptions, 'whenAllLoggedIn'>>,
  i: number,
  run: Run,
): Promise<number> {
  const began = performance.now();
  let loggedIn = false;
  let stage = 'connect';
  const socket = connect({ host: o.host, port: o.port });
  const timer = setTimeout(() => socket.destroy(new Error('session timeout')), o.timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const c = new Conn(socket);
    const expectOk = (r: { result: string }, what: string): void => {
      if (!r.result.startsWith('OK')) throw new Error(`${what}: ${r.result}`);
    };
    stage = 'greeting';
    expectOk(await c.reply(), 'greeting');
    stage = 'login';
    const user = o.users > 1 ? `${o.user}${i % o.users}` : o.user;
    const ir = Buffer.from(`\0${user}\0${o.password}`).toString('base64');
    expectOk(await c.cmd(`AUTHENTICATE "PLAIN" "${ir}"\r\n`), 'AUTHENTICATE');
    loggedIn = true;
    stage = 'after login';
    run.enter();
    if (o.hold) await run.gate;
    const name = `load-${i}`;
    const body = Buffer.from(o.script, 'utf8');
    expectOk(await c.cmd(`PUTSCRIPT "${name}" {${body.length}+}\r\n${o.script}\r\n`), 'PUTSCRIPT');
    const got = await c.cmd(`GETSCRIPT "${name}"\r\n`);
    expectOk(got, 'GETSCRIPT');
    if (!got.literals[0]?.equals(body)) throw new Error('GETSCRIPT returned different bytes');
    expectOk(await c.cmd('LISTSCRIPTS\r\n'), 'LISTSCRIPTS');
    expectOk(await c.cmd('LOGOUT\r\n'), 'LOGOUT');
    return performance.now() - began;
  } catch (err) {
    throw new Error(`session ${i}, ${stage}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
    socket.destroy();
    if (loggedIn) run.leave();
    else run.settle(); // a session that never logged in must not keep the others waiting
  }
}

/**
 * Opens `sessions` ManageSieve sessions at once against host:port, each doing
 * AUTHENTICATE PLAIN, PUTSCRIPT, GETSCRIPT, LISTSCRIPTS and LOGOUT. Works against any RFC 5804
 * server that offers PLAIN on the connection (tamis with insecureAuth, Dovecot with disable_plaintext_auth = no).
 * Waits for every session to end, then rejects if any failed (so no socket outlives the call).
 */
export async function runManageSieveLoad(opts: ManageSieveLoadOptions): Promise<ManageSieveLoadResult> {
  const o = {
    host: opts.host ?? '127.0.0.1',
    port: opts.port,
    sessions: opts.sessions ?? 100,
    user: opts.user,
    password: opts.password,
    users: opts.users ?? 1,
    script: opts.script ?? DEFAULT_SCRIPT,
    timeoutMs: opts.timeoutMs ?? 60_000,
    hold: opts.hold ?? false,
  };
  const run = new Run(o.sessions);
  if (o.hold) run.gate = run.allLoggedIn.then(() => opts.whenAllLoggedIn?.());
  const start = process.hrtime.bigint();
  const results = await Promise.allSettled(
    Array.from({ length: o.sessions }, (_, i) => oneSession(o, i, run)),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) {
    const first = (failed[0]!.reason as Error).message;
    throw new Error(`${failed.length} of ${o.sessions} sessions failed; first: ${first}`);
  }
  const ms = results.map((r) => (r as PromiseFulfilledResult<number>).value).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  return {
    sessions: o.sessions,
    seconds,
    sessionsPerSecond: o.sessions / seconds,
    peakLoggedIn: run.peak,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}
