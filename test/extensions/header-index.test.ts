import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';

const engine = new SieveEngine();
const MSG = Buffer.from(
  'To: first@example.com\r\nX-A: First\r\nTo: second@example.com, other@example.com\r\nX-A: Second\r\nX-A: Third\r\n\r\nx\r\n',
);

function yes(test: string): boolean {
  const c = engine.compile(`require ["index", "fileinto"];\nif ${test} { fileinto "yes"; }`);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  return engine.run(c.program, MSG, { from: '', to: 'x@y' }).actions.some((a) => a.type === 'fileinto');
}

describe('index', () => {
  it('selects one header field from the top or, with :last, from the bottom', () => {
    expect(yes('header :index 2 "x-a" "Second"')).toBe(true);
    expect(yes('header :index 2 "x-a" ["First", "Third"]')).toBe(false);
    expect(yes('header :index 1 :last "x-a" "Third"')).toBe(true);
    expect(yes('header :index 4 "x-a" "Third"')).toBe(false);
    expect(yes('header :index 4 :last :matches "x-a" "*"')).toBe(false);
  });

  it('selects the field, not the address, for address tests', () => {
    expect(yes('address :localpart :index 2 "to" "other"')).toBe(true);
    expect(yes('address :localpart :index 1 :last "to" "second"')).toBe(true);
    expect(yes('address :localpart :index 1 "to" "second"')).toBe(false);
  });

  it('rejects :last without :index, :index 0 and a missing number', () => {
    const errors = (s: string) => engine.compile(`require "index";\n${s}`).errors.map((e) => e.message);
    expect(errors('if header :last "to" "x" {}')).toEqual([
      expect.stringContaining('without the :index tag'),
    ]);
    expect(errors('if header :index 0 "to" "x" {}')).toEqual([expect.stringContaining('positive number')]);
    expect(errors('if header :index "to" "x" {}').length).toBeGreaterThan(0);
  });

  it('is unavailable without require', () => {
    expect(engine.compile('if header :index 1 "to" "x" {}').errors[0]!.message).toContain('require "index"');
  });
});

describe('index with mime', () => {
  // Three From fields: the message's and one in each of its two parts.
  const MULTI = Buffer.from(
    'From: a@x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n' +
      '--B\r\nFrom: b@x\r\nContent-Type: text/plain\r\n\r\nhi\r\n' +
      '--B\r\nFrom: c@x\r\nContent-Type: text/plain\r\n\r\nho\r\n--B--\r\n',
  );
  const stored = (i: number) => {
    const tests = ['a', 'b', 'c'].map(
      (n) => `if address :mime :anychild :index ${i} :all "from" "${n}@x" { fileinto "${n}"; }\n`,
    );
    const c = engine.compile(`require ["mime", "index", "fileinto"];\n${tests.join('')}`);
    const r = engine.run(c.program!, MULTI, { from: '', to: 'x@y' });
    return r.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
  };

  it('counts the fields of all parts read, in order (as Pigeonhole does)', () => {
    expect(stored(1)).toEqual(['a']);
    expect(stored(2)).toEqual(['b']);
    expect(stored(3)).toEqual(['c']);
  });
});
