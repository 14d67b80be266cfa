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
}

export interface ManageSieveLoadResult {
  sessions: number;
  seconds: number;
  sessionsPerSecond: number;
}

const DEFAULT_SCRIPT =
  'require ["fileinto"];\r\nif header :contains "subject" "load" {\r\n  fileinto "Load";\r\n}\r\n';

/** Minimal protocol reader: replies end with an OK/NO/BYE line; `{N}` literals are skipped by length. */
class Conn {
  private buf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private closed = false;
  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.wake?.();
    });
    const end = (): void => {
      this.closed = true;
      this.wake?.();
    };
    socket.on('close', end);
    socket.on('error', end);
  }
  private async more(): Promise<void> {
    if (this.closed) throw new Error('connection closed by server');
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
  o: Required<Omit<ManageSieveLoadOptions, 'users'>> & { users: number },
  i: number,
): Promise<void> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: o.host, port: o.port }, () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  const timer = setTimeout(() => socket.destroy(new Error('session timeout')), o.timeoutMs);
  try {
    const c = new Conn(socket);
    const expectOk = (r: { result: string }, what: string): void => {
      if (!r.result.startsWith('OK')) throw new Error(`${what}: ${r.result}`);
    };
    expectOk(await c.reply(), 'greeting');
    const user = o.users > 1 ? `${o.user}${i % o.users}` : o.user;
    const ir = Buffer.from(`\0${user}\0${o.password}`).toString('base64');
    expectOk(await c.cmd(`AUTHENTICATE "PLAIN" "${ir}"\r\n`), 'AUTHENTICATE');
    const name = `load-${i}`;
    const body = Buffer.from(o.script, 'utf8');
    expectOk(await c.cmd(`PUTSCRIPT "${name}" {${body.length}+}\r\n${o.script}\r\n`), 'PUTSCRIPT');
    const got = await c.cmd(`GETSCRIPT "${name}"\r\n`);
    expectOk(got, 'GETSCRIPT');
    if (!got.literals[0]?.equals(body)) throw new Error('GETSCRIPT returned different bytes');
    expectOk(await c.cmd('LISTSCRIPTS\r\n'), 'LISTSCRIPTS');
    expectOk(await c.cmd('LOGOUT\r\n'), 'LOGOUT');
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

/**
 * Opens `sessions` ManageSieve sessions at once against host:port, each doing
 * AUTHENTICATE PLAIN, PUTSCRIPT, GETSCRIPT, LISTSCRIPTS and LOGOUT. Works against any RFC 5804
 * server that offers PLAIN on the connection (tamis with insecureAuth, Dovecot with disable_plaintext_auth = no).
 * Rejects on the first failed session.
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
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: o.sessions }, (_, i) => oneSession(o, i)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { sessions: o.sessions, seconds, sessionsPerSecond: o.sessions / seconds };
}
