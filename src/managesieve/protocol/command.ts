import type { InputReader } from './reader.js';
import { parseLiteralHeader, type LiteralSpec } from './strings.js';
import { SyntaxError, tokenizeLine, type Response, type Token } from './wire.js';

/** What to do with a literal the client has announced, decided before any of its bytes are read. */
export type LiteralDecision =
  | { action: 'read' }
  /** Throw the bytes away (the client sends them regardless: there is no continuation) and answer `reply`. */
  | { action: 'skip'; reply: Response }
  /** Too big even to skip: answer `reply` (a BYE) and close. */
  | { action: 'close'; reply: Response };

export type LiteralPolicy = (tokensSoFar: readonly Token[], literal: LiteralSpec) => Promise<LiteralDecision>;

export interface CommandLimits {
  maxLineLength: number;
  /** Literals up to this size may be skipped when refused; larger ones end the connection. */
  maxSkipSize: number;
}

export type ReadResult =
  | { type: 'command'; tokens: Token[] }
  | { type: 'rejected'; reply: Response }
  | { type: 'syntax'; message: string; tokens: Token[] }
  | { type: 'fatal'; reply: Response };

/** The literal a line announces, found even when the line is otherwise broken, so that it can be skipped. */
function trailingLiteral(line: Buffer): LiteralSpec | null {
  const open = line.lastIndexOf(0x7b);
  const close = line.length - 1;
  return open >= 0 && line[close] === 0x7d ? parseLiteralHeader(line, open, close) : null;
}

/**
 * Reads one complete command: a line, plus any literals and continuation lines that belong to it.
 * Once something is wrong the rest of the command is still consumed, so the next command starts clean.
 */
export async function readCommand(
  reader: InputReader,
  limits: CommandLimits,
  policy: LiteralPolicy,
): Promise<ReadResult> {
  const tokens: Token[] = [];
  let first = true;
  let failed: ReadResult | null = null;
  for (;;) {
    const line = await reader.readLine(limits.maxLineLength);
    let literal: LiteralSpec | null = null;
    if (failed) {
      literal = trailingLiteral(line);
    } else {
      try {
        const parsed = tokenizeLine(line, first);
        tokens.push(...parsed.tokens);
        literal = parsed.literal;
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        failed = { type: 'syntax', message: e.message, tokens };
        literal = trailingLiteral(line);
      }
    }
    first = false;
    if (!literal) return failed ?? { type: 'command', tokens };
    if (failed) {
      if (literal.size > limits.maxSkipSize) return { type: 'fatal', reply: tooBig() };
      await reader.skip(literal.size);
      continue;
    }
    const decision = await policy(tokens, literal);
    if (decision.action === 'close') return { type: 'fatal', reply: decision.reply };
    if (decision.action === 'skip') {
      if (literal.size > limits.maxSkipSize) return { type: 'fatal', reply: tooBig() };
      await reader.skip(literal.size);
      failed = { type: 'rejected', reply: decision.reply };
      continue;
    }
    tokens.push({ kind: 'string', value: await reader.readExact(literal.size), literal: true });
  }
}

function tooBig(): Response {
  return { kind: 'BYE', text: 'Literal too large.' };
}
