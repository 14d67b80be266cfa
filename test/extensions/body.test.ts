import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { holds as testHolds } from '../support/engine.js';
import { splitMultipart } from '../../src/message/mime.js';
import { decodeQuotedPrintable, htmlToText } from '../../src/message/mime-content.js';

const MULTIPART = [
  'From: a@example.com',
  'Content-Type: multipart/mixed; boundary=outer',
  '',
  'prologue text',
  '--outer',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'caf=E9 au lait',
  '--outer',
  'Content-Type: text/html',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('<p>Hello &amp; <b>welcome</b></p><script>secret()</script>').toString('base64'),
  '--outer',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: x-unknown',
  '',
  'opaque',
  '--outer--',
  'epilogue text',
  '',
].join('\r\n');
const ENVELOPE = { from: 'a@example.org', to: 'b@example.net' };

function holds(test: string, message = MULTIPART, engine = new SieveEngine()): boolean {
  const req = 'require ["body", "relational", "comparator-i;ascii-numeric"];\n';
  return testHolds(test, req, { engine, message, envelope: ENVELOPE });
}

describe('body test', () => {
  it(':raw sees boundaries and encoded text as written', () => {
    expect(holds('body :raw :contains "--outer"')).toBe(true);
    expect(holds('body :raw :contains "caf=E9"')).toBe(true);
  });

  it(':content decodes transfer encodings and converts the charset', () => {
    expect(holds('body :content "text/plain" :contains "café au lait"')).toBe(true);
    expect(holds('body :content "text/html" :contains "<b>welcome</b>"')).toBe(true);
    expect(holds('body :content "text" :count "eq" "2"')).toBe(true);
    // Only prologue and epilogue of a multipart, never its boundaries.
    expect(holds('body :content "multipart" :contains "epilogue text"')).toBe(true);
    expect(holds('body :content "multipart" :contains "--outer"')).toBe(false);
    // An unknown transfer encoding makes the part unreadable.
    expect(holds('body :content "application" :contains "opaque"')).toBe(false);
    expect(holds('body :content "/plain" :contains ""')).toBe(false);
  });

  it(':text takes text parts only, with HTML markup and scripts removed', () => {
    expect(holds('body :text :contains "Hello & welcome"')).toBe(true);
    expect(holds('body :text :contains ["<b>", "secret", "prologue"]')).toBe(false);
    expect(holds('body :contains "lait"')).toBe(true);
  });

  it('a message of header fields only has no body at all', () => {
    expect(holds('body :raw :contains ""', 'From: a@example.com\r\nSubject: x\r\n')).toBe(false);
    expect(holds('body :raw :is ""', 'From: a@example.com\r\n\r\n')).toBe(true);
  });

  it('looks at no more than maxBodySize octets', () => {
    const big = `From: a@example.com\r\n\r\n${'x'.repeat(5000)}END\r\n`;
    const small = new SieveEngine({ config: { maxBodySize: 1000 } });
    expect(holds('body :raw :contains "END"', big, small)).toBe(false);
    expect(holds('body :raw :contains "END"', big)).toBe(true);
  });
});

describe('MIME parsing of hostile input', () => {
  it('tolerates a missing closing boundary and text without boundaries', () => {
    const s = splitMultipart(Buffer.from('pre\r\n--b\r\npart one\r\n--b\r\npart two'), 'b');
    expect(s.prologue!.toString()).toBe('pre');
    expect(s.parts.map((p) => p.toString())).toEqual(['part one', 'part two']);
    expect(s.epilogue).toBeNull();
    const none = splitMultipart(Buffer.from('no boundaries here'), 'b');
    expect(none.parts).toEqual([]);
    expect(none.prologue!.toString()).toBe('no boundaries here');
    // A longer boundary that merely starts with ours is not ours.
    expect(splitMultipart(Buffer.from('--bb\r\nx'), 'b').parts).toEqual([]);
  });

  it('bounds nesting depth and part count', () => {
    let msg = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
    for (let i = 0; i < 200; i++)
      msg = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${msg}--b${i}--\r\n`;
    msg = `From: a@example.com\r\n${msg}`;
    expect(holds('body :content "text" :contains "innermost"', msg)).toBe(false);
    const shallow = new SieveEngine({ config: { maxMimeDepth: 500, maxMimeParts: 1000 } });
    expect(holds('body :content "text" :contains "innermost"', msg, shallow)).toBe(true);
    const many = `From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n${'--x\r\n\r\npart\r\n'.repeat(5000)}`;
    expect(holds('body :content "text" :count "eq" "999"', many)).toBe(true);
  });

  it('decodes broken quoted-printable leniently and strips HTML in one pass', () => {
    expect(decodeQuotedPrintable(Buffer.from('a=3Db=\r\nc=ZZ=')).toString()).toBe('a=bc=ZZ');
    expect(htmlToText('<<<<' + '<a'.repeat(10000))).toBe('');
    expect(htmlToText('a<!-- x -->b&lt;&#65;&#x42;')).toBe('ab<AB');
  });
});
