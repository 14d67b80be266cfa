import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/** One server line after its literals were read: `text` has each literal replaced by `{N}`. */
export interface ServerLine {
  text: string;
  literals: Buffer[];
}

export interface ParsedResult {
  kind: 'OK' | 'NO' | 'BYE';
  code: string | null;
  codeArg: string | null;
  /** Reply text (literal contents, or the unescaped quoted string). */
  message: string | null;
  line: ServerLine;
}

export interface Reply {
  lines: ServerLine[];
  result: ParsedResult;
}

function unquote(s: string): string {
  return s.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

export function parseResult(line: ServerLine): ParsedResult | null {
  const m = /^(OK|NO|BYE)(?: \(([A-Z/-]+)(?: ("(?:[^"\\]|\\.)*"|\{\d+\}|[^)]*))?\))?(?: (.*))?$/i.exec(
    line.text,
  );
  if (!m) return null;
  let li = 0;
  const val = (s: string | undefined): string | null => {
    if (s === undefined) return null;
    if (/^\{\d+\}$/.test(s)) return line.literals[li++]!.toString('utf8');
    if (s.startsWith('"')) return unquote(s);
    return s;
  };
  const codeArg = val(m[3]);
  return {
    kind: m[1]!.toUpperCase() as ParsedResult['kind'],
    code: m[2] ? m[2].toUpperCase() : null,
    codeArg,
    message: val(m[4]),
    line,
  };
}

/** A byte-exact ManageSieve client for tests: sends raw bytes, reads replies with their literals. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;

  private constructor(public socket: Socket) {
    this.hook(socket);
  }

  private hook(socket: Socket): void {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  static async connect(port: number, tls?: ConnectionOptions): Promise<RawClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = tls
        ? tlsConnect({ port, host: '127.0.0.1', ...tls }, () => resolve(s))
        : netConnect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    return new RawClient(socket);
  }

  private async more(): Promise<void> {
    if (this.ended) throw new Error('connection closed');
    await new Promise<void>((r) => this.waiters.push(r));
  }

  async readLine(): Promise<Buffer> {
    for (;;) {
      const i = this.buf.indexOf('\r\n');
      if (i >= 0) {
        const line = this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + 2);
        return line;
      }
      await this.more();
    }
  }

  async readBytes(n: number): Promise<Buffer> {
    while (this.buf.length < n) await this.more();
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** One logical line, literals included. */
  async readServerLine(): Promise<ServerLine> {
    let text = '';
    const literals: Buffer[] = [];
    for (;;) {
      const part = (await this.readLine()).toString('utf8');
      text += part;
      const m = /\{(\d+)\}$/.exec(part);
      if (!m) return { text, literals };
      literals.push(Buffer.from(await this.readBytes(Number(m[1]))));
    }
  }

  /** Lines up to and including the OK/NO/BYE result. */
  async readReply(): Promise<Reply> {
    const lines: ServerLine[] = [];
    for (;;) {
      const line = await this.readServerLine();
      const result = parseResult(line);
      if (result) return { lines, result };
      lines.push(line);
    }
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  async cmd(data: string | Buffer): Promise<Reply> {
    this.send(data);
    return this.readReply();
  }

  /** True once the server has closed the connection (waits for it). */
  async closed(): Promise<boolean> {
    while (!this.ended) await this.more().catch(() => undefined);
    return true;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  async startTls(options: ConnectionOptions): Promise<void> {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('error');
    this.buf = Buffer.alloc(0);
    const s = await new Promise<Socket>((resolve, reject) => {
      const t = tlsConnect({ socket: this.socket, ...options }, () => resolve(t));
      t.once('error', reject);
    });
    this.socket = s;
    this.hook(s);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** Literal `{N+}CRLF<bytes>`. */
export function lit(data: string | Buffer): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from(`{${b.length}+}\r\n`), b]);
}
