import {
  encodeString as encodeWireString,
  MAX_NUMBER,
  parseLiteralHeader,
  scanQuoted,
  type AtomToken,
  type StringToken,
} from '../protocol/strings.js';
import { ManageSieveProtocolError } from './errors.js';

/** A token of a server line: an atom (OK, ACTIVE, QUOTA/MAXSIZE...), a quoted/literal string, or a parenthesised list. */
export type Token = AtomToken | StringToken | { kind: 'list'; items: Token[] };

export interface WireLimits {
  /** Longest line, literal contents excluded (default 1 MiB). */
  maxLineLength: number;
  /** Largest literal accepted from the server (default 64 MiB). */
  maxLiteralSize: number;
}

export const DEFAULT_LIMITS: WireLimits = { maxLineLength: 1024 * 1024, maxLiteralSize: 64 * 1024 * 1024 };

export type ParseResult = { tokens: Token[]; consumed: number } | { need: number };

const ATOM_END = new Set([0x20, 0x0d, 0x0a, 0x28, 0x29, 0x22, 0x7b]);

/**
 * Parses one server line (which may embed literals) from the start of `buf`.
 * Returns the tokens and bytes consumed, or the minimum total buffer length needed before trying again.
 */
export function parseLine(buf: Buffer, limits: WireLimits = DEFAULT_LIMITS): ParseResult {
  const root: Token[] = [];
  const stack: Token[][] = [root];
  let pos = 0;
  let lineBytes = 0; // bytes outside literals
  const more = (): ParseResult => {
    if (lineBytes > limits.maxLineLength) throw new ManageSieveProtocolError('server line too long');
    return { need: buf.length + 1 };
  };
  for (;;) {
    if (pos >= buf.length) return more();
    const c = buf[pos]!;
    if (c === 0x20) {
      pos++;
      lineBytes++;
      continue;
    }
    if (c === 0x0d || c === 0x0a) {
      if (c === 0x0d) {
        if (pos + 1 >= buf.length) return more();
        if (buf[pos + 1] !== 0x0a) throw new ManageSieveProtocolError('bare CR in server line');
      }
      if (stack.length > 1) throw new ManageSieveProtocolError('unbalanced parenthesis in server line');
      return { tokens: root, consumed: pos + (c === 0x0d ? 2 : 1) };
    }
    const top = stack[stack.length - 1]!;
    if (c === 0x22) {
      // Servers are read leniently: a backslash escapes any byte.
      const q = scanQuoted(buf, pos, false);
      if ('error' in q) throw new ManageSieveProtocolError('CR, LF or NUL in quoted string');
      if ('more' in q) {
        lineBytes += q.at - pos;
        return more();
      }
      top.push({ kind: 'string', value: q.value, literal: false });
      lineBytes += q.end - pos;
      pos = q.end;
      continue;
    }
    if (c === 0x7b) {
      const close = buf.indexOf(0x7d, pos);
      if (close < 0) {
        if (buf.length - pos > 14) throw new ManageSieveProtocolError('malformed literal');
        return more();
      }
      const header = parseLiteralHeader(buf, pos, close);
      if (!header) throw new ManageSieveProtocolError('malformed literal');
      const n = header.size;
      if (n > limits.maxLiteralSize)
        throw new ManageSieveProtocolError(`server literal of ${n} bytes is too large`);
      if (close + 2 >= buf.length) return more();
      if (buf[close + 1] !== 0x0d || buf[close + 2] !== 0x0a)
        throw new ManageSieveProtocolError('literal size not followed by CRLF');
      const start = close + 3;
      if (buf.length < start + n) return { need: start + n + 1 };
      top.push({ kind: 'string', value: Buffer.from(buf.subarray(start, start + n)), literal: true });
      lineBytes += start - pos;
      pos = start + n;
      continue;
    }
    if (c === 0x28) {
      const list: Token = { kind: 'list', items: [] };
      top.push(list);
      stack.push(list.items);
      pos++;
      lineBytes++;
      continue;
    }
    if (c === 0x29) {
      if (stack.length === 1) throw new ManageSieveProtocolError('unbalanced parenthesis in server line');
      stack.pop();
      pos++;
      lineBytes++;
      continue;
    }
    let end = pos;
    while (end < buf.length && !ATOM_END.has(buf[end]!)) end++;
    if (end >= buf.length) {
      lineBytes += end - pos;
      return more();
    }
    const atom = buf.toString('latin1', pos, end);
    if (/[\x00-\x1f\x7f-\xff]/.test(atom))
      throw new ManageSieveProtocolError('invalid character in server line');
    top.push({ kind: 'atom', value: atom });
    lineBytes += end - pos;
    pos = end;
  }
}

/** Accumulates socket data and hands out complete lines. */
export class LineReader {
  private buf: Buffer = Buffer.alloc(0);
  private need = 1;
  private error: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly limits: WireLimits = DEFAULT_LIMITS) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.notify();
  }

  /** Marks the stream finished; pending and later reads fail with `err` once the buffer is drained. */
  close(err: Error): void {
    this.error ??= err;
    this.notify();
  }

  /** Bytes received but not yet consumed (must be empty before a TLS upgrade). */
  get pending(): number {
    return this.buf.length;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async readLine(): Promise<Token[]> {
    for (;;) {
      if (this.buf.length >= this.need) {
        const r = parseLine(this.buf, this.limits);
        if ('tokens' in r) {
          this.buf = this.buf.subarray(r.consumed);
          this.need = 1;
          return r.tokens;
        }
        this.need = r.need;
      }
      if (this.error) throw this.error;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** Encodes one command argument: quoted when short, safe and UTF-8; a literal (`{N+}` by default) otherwise. */
export function encodeString(value: string | Buffer, nonSyncLiteral = true): Buffer {
  return encodeWireString(value, { nonSync: nonSyncLiteral, utf8Only: true });
}

/** Builds a complete command line. */
export function encodeCommand(
  name: string,
  args: ReadonlyArray<string | Buffer | number>,
  nonSyncLiteral = true,
): Buffer {
  const parts: Buffer[] = [Buffer.from(name, 'latin1')];
  for (const a of args) {
    parts.push(Buffer.from(' '));
    if (typeof a === 'number') {
      if (!Number.isInteger(a) || a < 0 || a > MAX_NUMBER)
        throw new RangeError(`invalid number argument ${a}`);
      parts.push(Buffer.from(String(a)));
    } else parts.push(encodeString(a, nonSyncLiteral));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

export function tokenText(t: Token | undefined): string | undefined {
  if (!t) return undefined;
  if (t.kind === 'atom') return t.value;
  if (t.kind === 'string') return t.value.toString('utf8');
  return undefined;
}
