/**
 * A small pipelining LMTP client for the delivery bench (RFC 2033 with RFC 2920): per transaction it
 * writes MAIL, every RCPT and DATA in one go, sends the message after the 354, and waits for one reply
 * per accepted recipient. The same client drives tamis and Dovecot, so both see the same traffic.
 */
import { connect, type Socket } from 'node:net';

export interface Transaction {
  sender: string;
  recipients: string[];
  /** The message, CRLF line ends, without the final dot. */
  message: Buffer;
}

export interface TransactionResult {
  /** Milliseconds from the first command to the last reply. */
  ms: number;
  /** Recipients that got a 2xx after DATA. */
  delivered: number;
  /** Replies other than 2xx, for the error report. */
  failures: string[];
}

/** One reply (its lines joined) at a time, from a socket. */
class ReplyReader {
  private buf = '';
  private lines: string[] = [];
  private readonly replies: string[] = [];
  private waiting: Array<(reply: string) => void> = [];
  private failure: Error | null = null;

  constructor(socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.feed(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    for (let eol = this.buf.indexOf('\r\n'); eol >= 0; eol = this.buf.indexOf('\r\n')) {
      const line = this.buf.slice(0, eol);
      this.buf = this.buf.slice(eol + 2);
      this.lines.push(line);
      // `250-` continues a reply, `250 ` ends it.
      if (line[3] === '-') continue;
      const reply = this.lines.join('\n');
      this.lines = [];
      const w = this.waiting.shift();
      if (w) w(reply);
      else this.replies.push(reply);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w(`421 ${e.message}`);
  }

  next(): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.failure) return Promise.resolve(`421 ${this.failure.message}`);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** Dot-stuffs a message and adds the terminating line. */
export function dataBlock(message: Buffer): Buffer {
  const text = message.toString('latin1').replace(/(^|\r\n)\./g, '$1..');
  return Buffer.from(text.endsWith('\r\n') ? `${text}.\r\n` : `${text}\r\n.\r\n`, 'latin1');
}

export class LmtpConnection {
  private constructor(
    private readonly socket: Socket,
    private readonly reader: ReplyReader,
  ) {}

  static async open(port: number, host = '127.0.0.1'): Promise<LmtpConnection> {
    const socket = connect(port, host);
    socket.setNoDelay(true);
    const reader = new ReplyReader(socket);
    const c = new LmtpConnection(socket, reader);
    const greeting = await reader.next();
    if (!greeting.startsWith('220')) throw new Error(`LMTP greeting: ${greeting}`);
    socket.write('LHLO bench.example\r\n');
    const lhlo = await reader.next();
    if (!lhlo.startsWith('250')) throw new Error(`LHLO: ${lhlo}`);
    if (!/PIPELINING/i.test(lhlo)) throw new Error('the server does not offer PIPELINING');
    return c;
  }

  async send(t: Transaction): Promise<TransactionResult> {
    const start = performance.now();
    const failures: string[] = [];
    const commands = [`MAIL FROM:<${t.sender}>`, ...t.recipients.map((r) => `RCPT TO:<${r}>`), 'DATA'];
    this.socket.write(commands.join('\r\n') + '\r\n');
    const mail = await this.reader.next();
    if (!mail.startsWith('250')) failures.push(`MAIL: ${mail}`);
    let accepted = 0;
    for (const r of t.recipients) {
      const reply = await this.reader.next();
      if (reply.startsWith('250')) accepted++;
      else failures.push(`RCPT ${r}: ${reply}`);
    }
    const data = await this.reader.next();
    let delivered = 0;
    if (data.startsWith('354')) {
      this.socket.write(dataBlock(t.message));
      for (let i = 0; i < accepted; i++) {
        const reply = await this.reader.next();
        if (reply.startsWith('2')) delivered++;
        else failures.push(`after DATA: ${reply}`);
      }
    } else {
      failures.push(`DATA: ${data}`);
      this.socket.write('RSET\r\n');
      await this.reader.next();
    }
    return { ms: performance.now() - start, delivered, failures };
  }

  async close(): Promise<void> {
    this.socket.write('QUIT\r\n');
    await this.reader.next();
    this.socket.destroy();
  }
}

export interface LoadResult {
  /** Deliveries (message × recipient) per second over the whole run. */
  perSecond: number;
  delivered: number;
  /** Milliseconds per transaction. */
  p50: number;
  p99: number;
  wallMs: number;
  failures: string[];
}

/** Sends every transaction over `connections` connections, each taking the next one when done. */
export async function runLoad(
  port: number,
  transactions: Transaction[],
  connections: number,
): Promise<LoadResult> {
  const conns = await Promise.all(Array.from({ length: connections }, () => LmtpConnection.open(port)));
  const times: number[] = [];
  const failures: string[] = [];
  let delivered = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    conns.map(async (c) => {
      while (next < transactions.length) {
        const r = await c.send(transactions[next++]!);
        times.push(r.ms);
        delivered += r.delivered;
        failures.push(...r.failures);
      }
    }),
  );
  const wallMs = performance.now() - start;
  await Promise.all(conns.map((c) => c.close()));
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN;
  return {
    perSecond: (delivered * 1000) / wallMs,
    delivered,
    p50: pct(0.5),
    p99: pct(0.99),
    wallMs,
    failures,
  };
}
