import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Srs, SrsError } from '../../../src/delivery/policy/srs.js';

const now = new Date(Date.UTC(2026, 11, 2, 12));
const srs = new Srs({ secret: 'tops3cret', domain: 'fwd.example', localDomains: ['example.net'] });

function python(code: string): string | null {
  try {
    return execFileSync('python3', ['-c', code], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

describe('SRS', () => {
  it('rewrites a foreign sender to SRS0 at our domain, with hash and day stamp per the scheme', () => {
    const out = srs.forward('Alice@Example.COM', now);
    const m = /^SRS0=([A-Za-z0-9+/]{4})=([A-Z2-7]{2})=Example\.COM=Alice@fwd\.example$/.exec(out);
    expect(m, out).not.toBeNull();
    const days = Math.floor(now.getTime() / 86_400_000) % 1024;
    const b32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    expect(m![2]).toBe(b32[days >> 5]! + b32[days & 31]!);
    // The hash computed independently: HMAC-SHA1 over the lowercased stamp, domain and local part.
    const expected = python(
      `import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b'tops3cret',('${m![2]}'+'example.com'+'alice').lower().encode(),hashlib.sha1).digest()).decode()[:4])`,
    );
    if (expected !== null) expect(m![1]).toBe(expected);
  });

  it('leaves null senders and senders at our domains alone', () => {
    expect(srs.forward('', now)).toBe('');
    expect(srs.forward('bob@fwd.example', now)).toBe('bob@fwd.example');
    expect(srs.forward('bob@EXAMPLE.net', now)).toBe('bob@EXAMPLE.net');
  });

  it('reverses what it made, within the age limit and with any case', () => {
    const out = srs.forward('alice+tag@example.com', now);
    expect(srs.reverse(out, now)).toBe('alice+tag@example.com');
    expect(srs.reverse(out.toLowerCase(), new Date(now.getTime() + 21 * 86_400_000))).toBe(
      'alice+tag@example.com',
    );
    expect(() => srs.reverse(out, new Date(now.getTime() + 22 * 86_400_000))).toThrow(/older than 21 days/);
  });

  it('refuses forged, altered and foreign addresses', () => {
    const out = srs.forward('alice@example.com', now);
    const reason = (a: string) => {
      try {
        srs.reverse(a, now);
        return 'accepted';
      } catch (e) {
        return (e as SrsError).reason;
      }
    };
    expect(reason(out.replace('=alice@', '=mallory@'))).toBe('hash');
    expect(reason(out.replace('example.com', 'evil.com'))).toBe('hash');
    expect(
      reason(new Srs({ secret: 'other', domain: 'fwd.example' }).forward('alice@example.com', now)),
    ).toBe('hash');
    expect(reason('alice@fwd.example')).toBe('not-srs');
    expect(reason(out.replace('@fwd.example', '@elsewhere.example'))).toBe('not-srs');
    expect(reason('SRS0=abcd@fwd.example')).toBe('malformed');
    expect(reason('SRS1=xx@fwd.example')).toBe('malformed');
  });

  it('re-forwards another forwarder SRS0 as SRS1, which reverses to that SRS0 address', () => {
    const first = new Srs({ secret: 'theirs', domain: 'first.example' });
    const srs0 = first.forward('alice@example.com', now);
    const srs1 = srs.forward(srs0, now);
    expect(srs1).toMatch(
      /^SRS1=[A-Za-z0-9+/]{4}=first\.example==[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=example\.com=alice@fwd\.example$/,
    );
    expect(srs.reverse(srs1, now)).toBe(srs0);
    expect(first.reverse(srs.reverse(srs1, now), now)).toBe('alice@example.com');
    // A third hop keeps the first forwarder, with its own hash.
    const third = new Srs({ secret: 'third', domain: 'third.example' });
    const again = third.forward(srs1, now);
    expect(again).toMatch(/^SRS1=[A-Za-z0-9+/]{4}=first\.example==/);
    expect(third.reverse(again, now)).toBe(srs0);
    expect(() => srs.reverse(srs1.replace('first.example', 'evil.example'), now)).toThrow(SrsError);
  });

  it('needs a secret and a domain', () => {
    expect(() => new Srs({ secret: '', domain: 'x.example' })).toThrow(/secret/);
    expect(() => new Srs({ secret: 's', domain: 'a@b' })).toThrow(/domain/);
  });
});
