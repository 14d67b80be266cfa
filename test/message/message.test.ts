import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/message/index.js';
import { createMessage, furthestRead, watchReads } from './helpers.js';

const msg = (text: string) => parseMessage(Buffer.from(text, 'utf8'));

describe('header fields', () => {
  it('looks names up case-insensitively and keeps every occurrence in order', () => {
    const m = msg('Received: one\r\nSubject: hi\r\nRECEIVED: two\r\nreceived: three\r\n\r\nbody');
    expect(m.header('received')).toEqual(['one', 'two', 'three']);
    expect(m.header('ReCeIvEd')).toEqual(['one', 'two', 'three']);
    expect(m.header('subject')).toEqual(['hi']);
    expect(m.header('x-missing')).toEqual([]);
    expect(m.headerNames()).toEqual(['Received', 'Subject', 'RECEIVED', 'received']);
  });

  it('answers every spelling of a name alike, in whichever order they are asked', () => {
    const m = msg('Subject: hi\r\nFrom: a@b.c, d@e.f\r\n\r\nbody');
    expect(m.header('Subject')).toEqual(['hi']);
    expect(m.header('subject')).toEqual(['hi']);
    expect(m.header('SUBJECT')).toEqual(['hi']);
    expect(m.addresses('FROM').map((a) => a.address)).toEqual(['a@b.c', 'd@e.f']);
    expect(m.addresses('from')).toBe(m.addresses('From'));
    expect(m.header('X-Missing')).toEqual([]);
    expect(m.header('x-missing')).toEqual([]);
    expect(m.rawHeader('SubJect')).toEqual(['hi']);
  });

  it('unfolds by removing only the line breaks', () => {
    const m = msg('Subject: a\r\n b\r\n\tc\r\n  d\r\n\r\n');
    expect(m.header('subject')).toEqual(['a b\tc  d']);
  });

  it('unfolds bare LF folds and mixed line endings', () => {
    const m = msg('Subject: a\n b\r\n c\nTo: x\r\n\n');
    expect(m.header('subject')).toEqual(['a b c']);
    expect(m.header('to')).toEqual(['x']);
  });

  it('trims blanks around the value, including a value starting on the next line', () => {
    const m = msg('Subject:   \t spaced \t \r\nX-Next:\r\n   value\r\nX-Empty:\r\nX-Blank:    \r\n\r\n');
    expect(m.header('subject')).toEqual(['spaced']);
    expect(m.header('x-next')).toEqual(['value']);
    expect(m.header('x-empty')).toEqual(['']);
    expect(m.header('x-blank')).toEqual(['']);
  });

  it('keeps a colon inside the value and accepts blanks before the colon (obsolete syntax)', () => {
    const m = msg('Subject : re: a: b\r\nX-Time: 12:30:00\r\n\r\n');
    expect(m.header('subject')).toEqual(['re: a: b']);
    expect(m.header('x-time')).toEqual(['12:30:00']);
    expect(m.headerNames()).toEqual(['Subject', 'X-Time']);
  });

  it('ignores lines that are not fields, with their continuation lines', () => {
    const m = msg(
      [
        ' leading continuation',
        'From sender@example.com Mon Jan  1 00:00:00 2024',
        'no colon here',
        '\tcontinues the broken line',
        ':empty name',
        'Bad Name: spaces in name',
        'Subject: kept',
        '',
        'body',
      ].join('\n'),
    );
    expect(m.headerNames()).toEqual(['Subject']);
    expect(m.header('subject')).toEqual(['kept']);
    expect(m.header('bad name')).toEqual([]);
  });

  it('decodes raw 8-bit values as UTF-8 when valid and as latin1 otherwise', () => {
    const raw = Buffer.concat([
      Buffer.from('X-Utf8: caf\u00e9 \u2713\r\nX-Latin: caf'),
      Buffer.from([0xe9, 0x20, 0xff]),
      Buffer.from('\r\nX-Broken: a'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\r\n\r\n'),
    ]);
    const m = parseMessage(raw);
    expect(m.header('x-utf8')).toEqual(['caf\u00e9 \u2713']);
    expect(m.header('x-latin')).toEqual(['caf\u00e9 \u00ff']);
    expect(m.header('x-broken')).toEqual(['a\u00c3(']);
  });

  it('keeps NUL bytes in values and never reads them as separators', () => {
    const m = parseMessage(Buffer.from('X-Nul: a\0b\r\nX\0Bad: c\r\nTo: d\r\n\r\n\0body\0'));
    expect(m.header('x-nul')).toEqual(['a\u0000b']);
    expect(m.headerNames()).toEqual(['X-Nul', 'To']);
    expect(m.body().toString('latin1')).toBe('\0body\0');
  });

  it('returns the same frozen arrays on every call', () => {
    const m = msg('Subject: =?utf-8?Q?caf=C3=A9?=\r\n\r\n');
    const first = m.header('subject');
    expect(m.header('SUBJECT')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(m.rawHeader('subject')).toEqual(['=?utf-8?Q?caf=C3=A9?=']);
    expect(first).toEqual(['caf\u00e9']);
  });
});

describe('header/body boundary', () => {
  it('splits at the first empty line (CRLF)', () => {
    const m = msg('A: 1\r\nB: 2\r\n\r\nline\r\n\r\nC: 3\r\n');
    expect(m.headerNames()).toEqual(['A', 'B']);
    expect(m.body().toString()).toBe('line\r\n\r\nC: 3\r\n');
    expect(m.header('c')).toEqual([]);
  });

  it('splits at the first empty line (bare LF)', () => {
    const m = msg('A: 1\nB: 2\n\nbody\n');
    expect(m.header('b')).toEqual(['2']);
    expect(m.body().toString()).toBe('body\n');
  });

  it('handles a message without a body', () => {
    const m = msg('A: 1\r\n\r\n');
    expect(m.header('a')).toEqual(['1']);
    expect(m.body().length).toBe(0);
  });

  it('handles a message without a separator: everything is header', () => {
    const m = msg('A: 1\r\nB: 2');
    expect(m.header('b')).toEqual(['2']);
    expect(m.body().length).toBe(0);
    const noEol = msg('Subject: last line has no break');
    expect(noEol.header('subject')).toEqual(['last line has no break']);
  });

  it('handles a message that is only a body', () => {
    const m = msg('\r\nFrom: not a header\r\n');
    expect(m.headerNames()).toEqual([]);
    expect(m.header('from')).toEqual([]);
    expect(m.body().toString()).toBe('From: not a header\r\n');
  });

  it('handles an empty message', () => {
    const m = parseMessage(Buffer.alloc(0));
    expect(m.size).toBe(0);
    expect(m.headerNames()).toEqual([]);
    expect(m.body().length).toBe(0);
    expect(m.addresses('from')).toEqual([]);
  });

  it('reports the raw size in octets and returns the raw buffer', () => {
    const raw = createMessage([['Subject', 'caf\u00e9']], 'b\u00f6dy');
    const m = parseMessage(raw);
    expect(m.size).toBe(raw.length);
    expect(m.size).toBe(Buffer.byteLength('Subject: caf\u00e9\r\n\r\nb\u00f6dy'));
    expect(m.raw()).toBe(raw);
  });
});

describe('laziness', () => {
  it('does not read the buffer on construction or for size', () => {
    const raw = createMessage([['Subject', 'x']], 'body');
    const log = watchReads(raw);
    const m = parseMessage(raw);
    expect(m.size).toBe(raw.length);
    expect(log).toEqual([]);
  });

  it('never reads past the header block for header look-ups, even with a huge invalid body', () => {
    const head = Buffer.from(
      'From: a@example.com\r\nSubject: big\r\n =?utf-8?B?w6k=?=\r\nTo: b@example.com\r\n\r\n',
    );
    const body = Buffer.alloc(50 * 1024 * 1024, 0xff); // not text, no line breaks
    body.fill(0, 1000, 2000);
    const raw = Buffer.concat([head, body]);
    const log = watchReads(raw);
    const m = parseMessage(raw);

    expect(m.header('subject')).toEqual(['big \u00e9']);
    expect(m.addresses('to').map((a) => a.address)).toEqual(['b@example.com']);
    expect(m.header('x-absent')).toEqual([]);
    expect(m.headerNames()).toEqual(['From', 'Subject', 'To']);
    expect(log.length).toBeGreaterThan(0);
    expect(furthestRead(log, raw.length)).toBeLessThanOrEqual(head.length);

    const reads = log.length;
    const bodyView = m.body();
    expect(bodyView.length).toBe(body.length);
    expect(bodyView[0]).toBe(0xff);
    // body() hands out a view: it does not copy or decode the octets.
    expect(log.slice(reads).map((a) => a.method)).toEqual(['subarray']);
  });

  it('indexes the header only once and decodes each name once', () => {
    const raw = createMessage(
      [
        ['Subject', 'one'],
        ['To', 'x@y'],
      ],
      'body',
    );
    const log = watchReads(raw);
    const m = parseMessage(raw);
    m.header('subject');
    const afterFirst = log.length;
    m.header('subject');
    m.rawHeader('Subject');
    m.header('x-absent');
    expect(log.length).toBe(afterFirst);
    m.addresses('to');
    m.addresses('to');
    // One more value decoded (To), and no further scan of the header block.
    expect(log.slice(afterFirst).filter((a) => a.method === 'indexOf')).toEqual([]);
  });
});

describe('hostile input', () => {
  it('reads a 1 MB header value', () => {
    const value = 'x'.repeat(1024 * 1024);
    const m = parseMessage(createMessage([['Subject', value]], 'b'));
    expect(m.header('subject')[0]).toBe(value);
  });

  it('unfolds a 1 MB header made of many short folded lines', () => {
    const lines = 100_000;
    const m = msg('Subject: a' + '\r\n a'.repeat(lines) + '\r\n\r\n');
    const value = m.header('subject')[0];
    expect(value.length).toBe(1 + 2 * lines);
    expect(value.startsWith('a a a')).toBe(true);
  });

  it('indexes 10,000 header fields', () => {
    const headers: Array<[string, string]> = [];
    for (let i = 0; i < 10_000; i++) headers.push([`X-H${i % 100}`, `v${i}`]);
    const m = parseMessage(createMessage(headers, 'b'));
    expect(m.headerNames().length).toBe(10_000);
    const h7 = m.header('x-h7');
    expect(h7.length).toBe(100);
    expect(h7[0]).toBe('v7');
    expect(h7[99]).toBe('v9907');
  });

  it('survives 1 MB of line noise without any field', () => {
    const m = msg('no colon at all\n'.repeat(65_536) + '\tx\n');
    expect(m.headerNames()).toEqual([]);
    expect(m.body().length).toBe(0);
  });

  it('survives a 1 MB field name without a colon and one with it', () => {
    const long = 'N'.repeat(1024 * 1024);
    expect(msg(long + '\r\nA: 1\r\n\r\n').header('a')).toEqual(['1']);
    expect(msg(long + ': v\r\n\r\n').header(long)).toEqual(['v']);
  });

  it('survives random bytes', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let round = 0; round < 50; round++) {
      const raw = Buffer.alloc(4096);
      for (let i = 0; i < raw.length; i++) raw[i] = rand();
      const m = parseMessage(raw);
      for (const name of m.headerNames()) {
        expect(m.header(name).length).toBeGreaterThan(0);
        m.addresses(name);
      }
      expect(m.body().length).toBeLessThanOrEqual(raw.length);
    }
  });
});
