import type { Duplex } from 'node:stream';

export class ConnectionClosed extends Error {
  override name = 'ConnectionClosed';
}

export class IdleTimeout extends Error {
  override name = 'IdleTimeout';
}

export class LineTooLong extends Error {
  override name = 'LineTooLong';
}

/**
 * Pull-style reader over a socket: the session asks for a line or for N bytes and waits.
 * It pauses the socket while more than `highWater` bytes are buffered, so a client that
 * floods the server cannot make it hold more than that (plus one chunk) per connection.
 */
export class InputReader {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of `buf` already scanned for LF by a pending readLine. */
  private scanned = 0;
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;
  private socket: Duplex | null = null;
  private timer: NodeJS.Timeout | null = null;
  private idleMs: number;

  constructor(
    idleMs: number,
    private readonly highWater = 64 * 1024,
  ) {
    this.idleMs = idleMs;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.timer?.refresh();
    if (this.buf.length > this.highWater) this.socket?.pause();
    this.wake();
  };

  private readonly onEnd = (): void => this.fail(new ConnectionClosed('Connection closed'));

  private readonly onError = (err: Error): void => this.fail(err);

  attach(socket: Duplex): void {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
    this.startTimer();
  }

  /** Stops reading and drops whatever was buffered (bytes sent before a TLS handshake must not survive it). */
  detach(): void {
    const s = this.socket;
    if (s) {
      s.pause();
      s.off('data', this.onData);
      s.off('end', this.onEnd);
      s.off('close', this.onEnd);
      s.off('error', this.onError);
    }
    this.socket = null;
    this.buf = Buffer.alloc(0);
    this.scanned = 0;
  }

  setIdleTimeout(ms: number): void {
    this.idleMs = ms;
    this.startTimer();
  }

  private startTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fail(new IdleTimeout('Idle timeout')), this.idleMs);
    this.timer.unref();
  }

  /** Any failure (close, error, timeout) wakes the pending read, which then throws it. */
  fail(err: Error): void {
    if (!this.failure) this.failure = err;
    this.wake();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.detach();
  }

  get buffered(): number {
    return this.buf.length;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async more(): Promise<void> {
    if (this.failure) throw this.failure;
    this.socket?.resume();
    await new Promise<void>((resolve) => (this.waiter = resolve));
    if (this.failure && this.buf.length === 0) throw this.failure;
  }

  /** One line without its CRLF (a bare LF is tolerated). Throws LineTooLong once `max` bytes pass without LF. */
  async readLine(max: number): Promise<Buffer> {
    for (;;) {
      const lf = this.buf.indexOf(0x0a, this.scanned);
      if (lf >= 0) {
        const end = lf > 0 && this.buf[lf - 1] === 0x0d ? lf - 1 : lf;
        if (end > max) throw new LineTooLong('Line too long');
        const line = this.buf.subarray(0, end);
        this.buf = this.buf.subarray(lf + 1);
        this.scanned = 0;
        return line;
      }
      this.scanned = this.buf.length;
      if (this.buf.length > max + 1) throw new LineTooLong('Line too long');
      if (this.failure) throw this.failure;
      await this.more();
    }
  }

  /** Exactly `n` bytes (the caller has bounded `n`). */
  async readExact(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.failure) throw this.failure;
      await this.more();
    }
    const out = Buffer.from(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    this.scanned = 0;
    return out;
  }

  /** Reads and throws away `n` bytes without holding them. */
  async skip(n: number): Promise<void> {
    let left = n;
    for (;;) {
      const take = Math.min(left, this.buf.length);
      this.buf = this.buf.subarray(take);
      left -= take;
      this.scanned = 0;
      if (left === 0) return;
      if (this.failure) throw this.failure;
      await this.more();
    }
  }
}
