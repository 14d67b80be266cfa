import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SieveLink } from '../../src/webmail/connection.js';
import { seal, unseal, newKey } from '../../src/webmail/seal.js';
import { SessionStore, parseCookie } from '../../src/webmail/sessions.js';

const PASSWORD = 'correct horse battery staple ✓';

describe('the sealed password', () => {
  it('opens only with its key, and a changed byte is detected', () => {
    const key = newKey();
    const sealed = seal(PASSWORD, key);
    expect(unseal(sealed, key)).toBe(PASSWORD);
    expect(unseal(sealed, newKey())).toBeNull();
    expect(unseal(sealed, key.subarray(0, 16))).toBeNull();
    const tampered = { ...sealed, data: Buffer.from(sealed.data) };
    tampered.data[0]! ^= 1;
    expect(unseal(tampered, key)).toBeNull();
  });

  it('is nowhere in clear in a session, and the cookie holds the key the server has only a hash of', () => {
    const store = new SessionStore({ idleMs: 60_000, maxAgeMs: 600_000, maxSessions: 10 }, Date.now);
    const link = new SieveLink({ host: '127.0.0.1', port: 1 }, 'alice', 60_000);
    const { session, cookie, key } = store.create('alice', PASSWORD, link, {
      extensions: [],
      maxRedirects: 4,
    });
    const dump = inspect(session, { depth: 10, maxArrayLength: null, maxStringLength: null });
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain(Buffer.from(PASSWORD).toString('hex'));
    expect(dump).not.toContain(key.toString('base64url'));
    expect(parseCookie(cookie)?.key.equals(key)).toBe(true);
    expect(store.find(cookie)?.session).toBe(session);
    expect(unseal(session.sealed, key)).toBe(PASSWORD);
    for (const bad of ['', 'x', `${session.id}.`, `${session.id}.${'A'.repeat(43)}`, `${cookie}x`, 'a.b.c'])
      expect(store.find(bad)).toBeNull();
    store.closeAll();
    expect(store.find(cookie)).toBeNull();
  });
});
