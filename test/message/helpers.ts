/** Builds a raw message from header fields and a body, with the given line ending. */
export function createMessage(headers: Array<[string, string]>, body: string | null, eol = '\r\n'): Buffer {
  const head = headers.map(([name, value]) => `${name}: ${value}${eol}`).join('');
  return Buffer.from(body === null ? head : head + eol + body, 'utf8');
}

export interface BufferAccess {
  method: string;
  args: unknown[];
  result: unknown;
}

/**
 * Wraps the reading methods of one Buffer instance so a test can see which byte ranges were
 * touched. Indexed byte reads (`buf[i]`) cannot be observed; the scanner only uses them next
 * to positions reached through these methods.
 */
export function watchReads(buf: Buffer): BufferAccess[] {
  const log: BufferAccess[] = [];
  const target = buf as unknown as Record<string, unknown>;
  for (const method of [
    'indexOf',
    'lastIndexOf',
    'includes',
    'toString',
    'subarray',
    'slice',
    'copy',
    'equals',
  ]) {
    const original = target[method] as (...args: unknown[]) => unknown;
    target[method] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      log.push({ method, args, result });
      return result;
    };
  }
  return log;
}

/** Highest byte offset a logged access may have looked at (exclusive end). */
export function furthestRead(log: BufferAccess[], size: number): number {
  let max = 0;
  for (const { method, args, result } of log) {
    let end: number;
    switch (method) {
      case 'indexOf':
      case 'lastIndexOf':
      case 'includes':
        // A forward search reads up to its match, or to the end when nothing matched.
        end = method === 'indexOf' && typeof result === 'number' && result >= 0 ? result + 1 : size;
        break;
      case 'toString':
        end = typeof args[2] === 'number' ? args[2] : size;
        break;
      case 'subarray':
      case 'slice':
        end = typeof args[1] === 'number' ? args[1] : size;
        break;
      default:
        end = size;
    }
    max = Math.max(max, end);
  }
  return max;
}
