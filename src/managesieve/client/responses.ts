import type { ManageSieveResponse } from './types.js';
import type { Token } from './wire.js';

/** The warnings of an OK (WARNINGS) answer to PUTSCRIPT or CHECKSCRIPT. */
export function warnings(r: ManageSieveResponse): { warnings?: string } {
  return r.code === 'WARNINGS' ? { warnings: r.text } : {};
}

export function describeLine(line: Token[]): string {
  const one = (t: Token): string =>
    t.kind === 'atom'
      ? t.value
      : t.kind === 'list'
        ? `(${t.items.map(one).join(' ')})`
        : t.literal
          ? `{${t.value.length}}…`
          : JSON.stringify(t.value.toString('utf8'));
  return line.map(one).join(' ');
}
