/**
 * Random scripts from a small Sieve grammar over random, often malformed messages: compile and
 * run never throw, a run always ends with a known status and at least one action (the keep it
 * falls back to), and within its CPU limit plus a margin.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SieveEngine } from '../../src/engine.js';

const ENVELOPE = { from: 'a@example.org', to: 'b@example.net' };
const CAPABILITIES = [
  'body',
  'comparator-i;ascii-numeric',
  'comparator-i;unicode-casemap',
  'editheader',
  'envelope',
  'extracttext',
  'fileinto',
  'foreverypart',
  'imap4flags',
  'mime',
  'regex',
  'relational',
  'variables',
];
const MAX_CPU_TIME = 1;
// The meter's margin is milliseconds; this leaves room for a loaded machine and test overhead.
const WALL_LIMIT_MS = 3000 * MAX_CPU_TIME;

// ---- scripts ---------------------------------------------------------------------------------

const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const text = fc.oneof(
  fc.constantFrom(
    '',
    'a',
    'x-a',
    'subject',
    '*',
    '?',
    '\\',
    '${1}',
    '${v}',
    '=?utf-8?q?=C3=A9?=',
    'é',
    'A*b?c',
  ),
  fc.string({ maxLength: 12 }),
  fc.stringMatching(/^[(|a)*+?{}[\]^$.\\0-9,]{0,24}$/),
);
const strings = fc.array(text, { minLength: 1, maxLength: 4 }).map((l) => `[${l.map(quote).join(', ')}]`);
const headerNames = fc
  .array(fc.constantFrom('subject', 'to', 'from', 'x-a', 'content-type', 'received', 'x-none'), {
    minLength: 1,
    maxLength: 3,
  })
  .map((l) => `[${l.map(quote).join(', ')}]`);
const addressNames = fc.constantFrom('"to"', '["from", "cc"]', '"sender"');
const comparator = fc.constantFrom(
  '',
  ':comparator "i;octet" ',
  ':comparator "i;ascii-casemap" ',
  ':comparator "i;unicode-casemap" ',
  ':comparator "i;ascii-numeric" ',
);
const matchType = fc.constantFrom(
  '',
  ':is ',
  ':contains ',
  ':matches ',
  ':regex ',
  ':value "ge" ',
  ':count "lt" ',
);
const mimeTags = fc.constantFrom(
  '',
  ':mime ',
  ':mime :anychild ',
  ':mime :type ',
  ':mime :param ["charset"] ',
);

const test: fc.Memo<string> = fc.memo((depth) => {
  const leaves = fc.oneof(
    fc.tuple(mimeTags, comparator, matchType, headerNames, strings).map((p) => `header ${p.join('')}`),
    fc.tuple(comparator, matchType, addressNames, strings).map((p) => `address :all ${p.join('')}`),
    fc.tuple(comparator, matchType, strings, strings).map((p) => `string ${p.join(' ')}`),
    fc
      .tuple(fc.constantFrom(':raw', ':text', ':content "text"'), matchType, strings)
      .map((p) => `body ${p.join(' ')}`),
    headerNames.map((n) => `exists ${n}`),
    fc.nat(100_000).map((n) => `size :over ${n}`),
    fc.constantFrom('true', 'false'),
  );
  if (depth <= 1) return leaves;
  return fc.oneof(
    { weight: 3, arbitrary: leaves },
    test(depth - 1).map((t) => `not ${t}`),
    fc.array(test(depth - 1), { minLength: 1, maxLength: 3 }).map((l) => `anyof(${l.join(', ')})`),
    fc.array(test(depth - 1), { minLength: 1, maxLength: 3 }).map((l) => `allof(${l.join(', ')})`),
  );
});

const command: fc.Memo<string> = fc.memo((depth) => {
  const simple = fc.oneof(
    fc.constantFrom('keep;', 'discard;', 'stop;', 'addflag "\\\\Seen";'),
    text.map((t) => `fileinto ${quote(t || 'INBOX')};`),
    fc
      .tuple(fc.constantFrom('', ':lower ', ':upper ', ':length ', ':quotewildcard '), text)
      .map(([m, t]) => `set ${m}"v" ${quote(t)};`),
    fc
      .tuple(fc.constantFrom('X-Added', 'Subject', '${v}'), text)
      .map(([n, t]) => `addheader ${quote(n)} ${quote(t)};`),
    fc
      .tuple(matchType, headerNames, strings)
      .map(([m, n, s]) => `deleteheader ${m}${n.slice(1, -1).split(',')[0]} ${s};`),
  );
  if (depth <= 1) return simple;
  const block = fc.array(command(depth - 1), { maxLength: 3 }).map((l) => `{ ${l.join(' ')} }`);
  return fc.oneof(
    { weight: 4, arbitrary: simple },
    fc.tuple(test(2), block, fc.option(block)).map(([t, b, e]) => `if ${t} ${b}${e ? ` else ${e}` : ''}`),
    fc
      .tuple(block, fc.boolean())
      .map(([b, x]) => `foreverypart ${x ? b.replace('{ ', '{ extracttext "t"; ') : b}`),
  );
});

const script = fc
  .array(command(3), { minLength: 1, maxLength: 6 })
  .map((l) => `require ${JSON.stringify(CAPABILITIES)};\n${l.join('\n')}\n`);

// ---- messages --------------------------------------------------------------------------------

const fieldValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '=?utf-8?b?w6k=?= x',
    '=?bogus?q?x?=',
    '"a b" <a@b>, c@d',
    '<>',
    'text/plain; charset=utf-8',
    '1',
  ),
);
const field = fc.oneof(
  fc
    .tuple(fc.constantFrom('Subject', 'To', 'From', 'X-A', 'Received'), fieldValue)
    .map(([n, v]) => `${n}: ${v}`),
  fieldValue.map((v) => `${v}`), // a line that is no field
  fc.tuple(fieldValue, fieldValue).map(([a, b]) => `X-A: ${a}\r\n\t${b}`),
);
const leaf = fc
  .tuple(fc.array(field, { maxLength: 4 }), fc.string({ maxLength: 40 }))
  .map(([fields, body]) => `${fields.join('\r\n')}\r\nContent-Type: text/plain\r\n\r\n${body}`);
const mimeMessage: fc.Memo<string> = fc.memo((depth) => {
  if (depth <= 1) return leaf;
  return fc.oneof(
    leaf,
    fc
      .tuple(fc.array(mimeMessage(depth - 1), { maxLength: 3 }), fc.boolean(), fc.nat(9))
      .map(
        ([parts, closed, b]) =>
          `Content-Type: multipart/mixed; boundary="b${b}"\r\n\r\npre\r\n${parts.map((p) => `--b${b}\r\n${p}\r\n`).join('')}${closed ? `--b${b}--\r\n` : ''}`,
      ),
    mimeMessage(depth - 1).map((m) => `Content-Type: message/rfc822\r\n\r\n${m}`),
  );
});
const message = fc
  .tuple(mimeMessage(4), fc.option(fc.uint8Array({ maxLength: 40 })))
  .map(([m, junk]) => Buffer.concat([Buffer.from(m), Buffer.from(junk ?? [])]));

// ---- properties ------------------------------------------------------------------------------

const engine = new SieveEngine({ config: { maxCpuTime: MAX_CPU_TIME, maxMimeDepth: 1000 } });

describe('random scripts over random messages', () => {
  it('never throw out of compile or run, and end with a known status within the limit', () => {
    fc.assert(
      fc.property(script, message, (source, raw) => {
        const c = engine.compile(source);
        expect(Array.isArray(c.errors)).toBe(true);
        if (!c.program) return;
        const started = performance.now();
        const r = engine.run(c.program, raw, ENVELOPE);
        expect(performance.now() - started).toBeLessThan(WALL_LIMIT_MS);
        expect(['ok', 'error', 'limit']).toContain(r.status);
        expect(r.actions.length).toBeGreaterThan(0);
        if (r.status !== 'ok') {
          expect(r.errors[0]!.message).not.toMatch(/internal error/);
          expect(r.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throw for arbitrary text as a script', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (source) => {
        const c = engine.compile(`require ${JSON.stringify(CAPABILITIES)};\n${source}`);
        if (c.program)
          expect(['ok', 'error', 'limit']).toContain(
            engine.run(c.program, Buffer.from('\r\n'), ENVELOPE).status,
          );
      }),
      { numRuns: 300 },
    );
  });
});
