/** JSON text that does not parse: where (1-based line and column) and why. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`not valid JSON at line ${line}, column ${column}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * Parses JSON text; on failure says where the text goes wrong. Node's own messages carry no
 * position, so a failed parse is scanned again by a small recognizer that stops at the first error.
 */
export function parseJsonText(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const { offset, reason } = locate(body) ?? { offset: 0, reason: (e as Error).message };
    const before = body.slice(0, offset).split('\n');
    throw new JsonSyntaxError(before.length, before[before.length - 1]!.length + 1, reason);
  }
}

class Stop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/** The first error in `s` (offset and reason), or null when it is valid JSON. */
function locate(s: string): { offset: number; reason: string } | null {
  let i = 0;
  const ws = () => {
    while (i < s.length && ' \t\r\n'.includes(s[i]!)) i++;
  };
  const fail = (reason: string): never => {
    throw new Stop(i, reason);
  };
  const shown = () => (i >= s.length ? 'end of text' : JSON.stringify(s[i]));
  const expect = (what: string) => fail(`expected ${what}, got ${shown()}`);
  const literal = (word: string) => {
    if (s.startsWith(word, i)) i += word.length;
    else expect('a value');
  };
  const str = () => {
    i++;
    for (;;) {
      if (i >= s.length) fail('unterminated string');
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in string (write it as \\n, \\t or \\u00XX)');
      if (c === 0x5c) {
        i++;
        if (s[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(s[i] ?? '')) fail('bad escape in string');
      }
      i++;
    }
    i++;
  };
  const num = () => {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(s.slice(i, i + 400));
    if (!m) expect('a value');
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail('nested too deeply');
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') return void i++;
      for (;;) {
        ws();
        if (s[i] !== '"') expect('a key in double quotes');
        str();
        ws();
        if (s[i] !== ':') expect('":"');
        i++;
        value(depth + 1);
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === '}') return void i++;
        else expect('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === ']') return void i++;
        else expect('"," or "]"');
      }
    }
    if (c === '"') return str();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    expect('a value');
  };
  try {
    value(0);
    ws();
    if (i < s.length) fail(`unexpected ${shown()} after the end of the value`);
    return null;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}
