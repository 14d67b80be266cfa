import { describe, expect, it } from 'vitest';
import { decodeMailboxName, encodeMailboxName, Utf7Error } from '../../src/maildir/utf7.js';

/** Small deterministic generator so the property test is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomName(next: () => number): string {
  const pools = [
    () => String.fromCharCode(0x20 + Math.floor(next() * 95)),
    () => '&',
    () => String.fromCodePoint(0xa0 + Math.floor(next() * 0x700)),
    () => String.fromCodePoint(0x4e00 + Math.floor(next() * 0x5000)),
    () => String.fromCodePoint(0x1f600 + Math.floor(next() * 0x50)),
    () => String.fromCharCode(Math.floor(next() * 0x20)),
  ];
  let out = '';
  const len = Math.floor(next() * 12);
  for (let i = 0; i < len; i++) out += pools[Math.floor(next() * pools.length)]!();
  return out;
}

describe('modified UTF-7 mailbox names', () => {
  it('encodes the examples of RFC 3501 and common names', () => {
    expect(encodeMailboxName('~peter/mail/台北/日本語')).toBe('~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    expect(encodeMailboxName('Entwürfe')).toBe('Entw&APw-rfe');
    expect(encodeMailboxName('A&B')).toBe('A&-B');
    expect(encodeMailboxName('INBOX')).toBe('INBOX');
  });

  it('decodes them back', () => {
    expect(decodeMailboxName('~peter/mail/&U,BTFw-/&ZeVnLIqe-')).toBe('~peter/mail/台北/日本語');
    expect(decodeMailboxName('Entw&APw-rfe')).toBe('Entwürfe');
    expect(decodeMailboxName('A&-B')).toBe('A&B');
  });

  it('round-trips random names (property)', () => {
    const next = rng(20261202);
    for (let n = 0; n < 2000; n++) {
      const name = randomName(next);
      const enc = encodeMailboxName(name);
      expect(enc).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeMailboxName(enc)).toBe(name);
    }
  });

  it('rejects broken input with a typed error', () => {
    for (const bad of ['&U,BTFw', '&*-', 'a\u0000b', 'caf\u00e9', '&AGE-', '&2D0-', '&AP-', '&APx-']) {
      expect(() => decodeMailboxName(bad), bad).toThrow(Utf7Error);
    }
  });

  it('handles huge names without trouble', () => {
    const name = 'ü'.repeat(100_000);
    expect(decodeMailboxName(encodeMailboxName(name))).toBe(name);
  });
});
