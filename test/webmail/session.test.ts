import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebmailServer } from '../../src/webmail/index.js';
import { Browser, startStack, type Stack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ loginThrottle: { baseDelayMs: 0, maxFailuresPerUser: 3 } });
});
afterAll(() => stack.stop());

describe('webmail login and sessions against a tamis ManageSieve server', () => {
  it('logs in with the mail password and sets a strict, HttpOnly session cookie', async () => {
    const b = new Browser(stack.origin);
    const r = await b.login();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user: 'alice', maxForwardAddresses: 15 });
    expect(r.body.extensions).toContain('vacation');
    expect(r.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tamis_session=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);
    // The cookie holds the key: the password is nowhere in it.
    expect(cookie).not.toContain('secret');
    const again = await b.get('/api/session');
    expect(again.status).toBe(200);
    expect(again.body.csrfToken).toBe(r.body.csrfToken);
  });

  it('refuses a wrong password with 401 and then throttles the user with 429', async () => {
    const b = new Browser(stack.origin);
    const bad = await b.login('bob', 'wrong');
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('auth_failed');
    await b.login('bob', 'wrong');
    await b.login('bob', 'wrong');
    const locked = await b.login('bob', 'hunter2');
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('rate_limited');
    expect(b.cookie).toBe('');
  });

  it('answers 401 not_logged_in without a session, and for a forged or truncated cookie', async () => {
    const b = new Browser(stack.origin);
    expect((await b.get('/api/session')).body.error).toBe('not_logged_in');
    expect((await b.get('/api/vacation')).status).toBe(401);
    const real = new Browser(stack.origin);
    await real.login();
    const [id] = real.cookie.slice('tamis_session='.length).split('.');
    b.cookie = `tamis_session=${id}.${'A'.repeat(43)}`;
    expect((await b.get('/api/session')).status).toBe(401);
    b.cookie = real.cookie.slice(0, -3);
    expect((await b.get('/api/session')).status).toBe(401);
    // The wrong key did not end the real session.
    expect((await real.get('/api/session')).status).toBe(200);
  });

  it('refuses state changes without the CSRF token or from another origin', async () => {
    const b = new Browser(stack.origin);
    await b.login();
    const token = b.csrf;
    b.csrf = '';
    let r = await b.post('/api/scripts/deactivate');
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('csrf');
    b.csrf = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect((await b.post('/api/scripts/deactivate')).status).toBe(403);
    b.csrf = token;
    r = await b.request('POST', '/api/scripts/deactivate', undefined, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('csrf');
    // An empty body that says it is JSON is no body.
    r = await b.request('POST', '/api/scripts/deactivate', '', { 'content-type': 'application/json' });
    expect(r.status).toBe(204);
    // No Origin at all is accepted (same-origin requests of some browsers), with the token.
    r = await b.request('POST', '/api/scripts/deactivate', undefined, { origin: '' });
    expect(r.status).toBe(204);
    // Login itself checks the Origin.
    const other = new Browser('https://evil.example');
    const res = await fetch(stack.origin + '/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ user: 'alice', password: 'secret' }),
    });
    expect(res.status).toBe(403);
    expect(other.cookie).toBe('');
  });

  it('logs out: 204, the cookie cleared and the session gone on the server', async () => {
    const b = new Browser(stack.origin);
    await b.login();
    const cookie = b.cookie;
    const r = await b.post('/api/logout');
    expect(r.status).toBe(204);
    expect(r.headers.get('set-cookie')).toMatch(/tamis_session=;/);
    b.cookie = cookie;
    expect((await b.get('/api/session')).status).toBe(401);
  });

  it('sends the CSP and the other security headers; the API is not cached', async () => {
    const b = new Browser(stack.origin);
    const api = await b.get('/api/session');
    const csp = api.headers.get('content-security-policy')!;
    expect(csp).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
    );
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('referrer-policy')).toBe('no-referrer');
    expect(api.headers.get('cache-control')).toBe('no-store');
    const page = await b.get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('tamis settings');
    expect(page.headers.get('content-security-policy')).toBe(csp);
    expect((await b.get('/app.js')).status).toBe(200);
    expect((await b.get('/../../etc/passwd')).status).toBe(404);
    expect((await b.get('/api/nothing')).body.error).toBe('not_found');
  });
});

describe('webmail sessions end', () => {
  it('after the idle timeout and after the absolute timeout, with a clock', async () => {
    let t = 1_000_000;
    const s = await startStack({
      now: () => t,
      limits: { sessionIdleMs: 60_000, sessionMaxAgeMs: 150_000 },
    });
    try {
      const b = new Browser(s.origin);
      await b.login();
      t += 59_000;
      expect((await b.get('/api/session')).status).toBe(200);
      t += 59_000;
      expect((await b.get('/api/session')).status).toBe(200);
      t += 59_000; // 177 s old: past the absolute limit though never idle for long
      expect((await b.get('/api/session')).body.error).toBe('not_logged_in');
      const c = new Browser(s.origin);
      await c.login();
      t += 61_000;
      expect((await c.get('/api/session')).status).toBe(401);
      expect(s.web.sessionCount).toBe(0);
    } finally {
      await s.stop();
    }
  });

  it('beyond maxSessions, the session idle longest', async () => {
    const s = await startStack({ limits: { maxSessions: 2 } });
    try {
      const [a, b, c] = [new Browser(s.origin), new Browser(s.origin), new Browser(s.origin)];
      await a.login();
      await b.login();
      await a.get('/api/session');
      await c.login();
      expect(s.web.sessionCount).toBe(2);
      expect((await b.get('/api/session')).status).toBe(401);
      expect((await a.get('/api/session')).status).toBe(200);
    } finally {
      await s.stop();
    }
  });
});

describe('webmail behind a proxy and without its peers', () => {
  it('marks the cookie Secure when a trusted proxy says the request came over HTTPS', async () => {
    const s = await startStack({
      trustedProxies: ['127.0.0.1'],
      frameAncestors: ['https://mail.example.org'],
    });
    try {
      const res = await fetch(s.origin + '/api/login', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'settings.example.org',
          origin: 'https://settings.example.org',
        },
        body: JSON.stringify({ user: 'alice', password: 'secret' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toMatch(/; Secure/i);
      expect(res.headers.get('content-security-policy')).toMatch(
        /frame-ancestors https:\/\/mail\.example\.org$/,
      );
    } finally {
      await s.stop();
    }
  });

  it('throttles per client address, which a trusted proxy names in X-Forwarded-For', async () => {
    const s = await startStack({
      trustedProxies: ['127.0.0.1'],
      loginThrottle: { baseDelayMs: 0, maxFailuresPerUser: 0, maxFailuresPerAddress: 2 },
    });
    try {
      const from = (client: string, user: string, password: string) =>
        fetch(s.origin + '/api/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          body: JSON.stringify({ user, password }),
        });
      expect((await from('192.0.2.7', 'alice', 'x')).status).toBe(401);
      expect((await from('192.0.2.7', 'bob', 'y')).status).toBe(401);
      // That address is locked out, even with a right password for a third name...
      expect((await from('192.0.2.7', 'alice', 'secret')).status).toBe(429);
      // ...and another client behind the same proxy is not.
      expect((await from('192.0.2.8', 'alice', 'secret')).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  it('ignores X-Forwarded-Proto from a client that is not a trusted proxy', async () => {
    const res = await fetch(stack.origin + '/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ user: 'alice', password: 'secret' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).not.toMatch(/Secure/i);
  });

  it('answers 502 when the ManageSieve server is down', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const web = createWebmailServer({ managesieve: { host: '127.0.0.1', port: closed } });
    try {
      const { url } = await web.listen(0, '127.0.0.1');
      const b = new Browser(url.replace(/\/$/, ''));
      const r = await b.login();
      expect(r.status).toBe(502);
      expect(r.body.error).toBe('managesieve_unreachable');
      // No pages folder: / says so.
      const page = await b.get('/');
      expect(page.status).toBe(503);
      expect(page.text).toMatch(/not built/);
    } finally {
      await web.close();
    }
  });

  it('closes an unused ManageSieve connection, opens it again with the sealed password, and ends the session when the password no longer works', async () => {
    const s = await startStack({ limits: { connectionIdleMs: 50 } });
    try {
      const b = new Browser(s.origin);
      await b.login('bob', 'hunter2');
      await new Promise((r) => setTimeout(r, 150));
      expect((await b.get('/api/scripts')).status).toBe(200);
      await writeFile(
        path.join(s.fixture.dir, 'users'),
        'alice:{PLAIN}secret::::::\nbob:{PLAIN}changed::::::\n',
      );
      await new Promise((r) => setTimeout(r, 150));
      const lost = await b.get('/api/scripts');
      expect(lost.status).toBe(401);
      expect(lost.body.error).toBe('not_logged_in');
      expect((await b.get('/api/session')).status).toBe(401);
    } finally {
      await s.stop();
    }
  });

  it('answers 502 when the server drops while a session is open, and reconnects later', async () => {
    const s = await startStack();
    const b = new Browser(s.origin);
    await b.login();
    expect((await b.get('/api/scripts')).status).toBe(200);
    const port = s.fixture.port;
    await s.fixture.server.close();
    const down = await b.get('/api/scripts');
    expect(down.status).toBe(502);
    await s.fixture.server.listen(port, '127.0.0.1');
    const back = await b.get('/api/scripts');
    expect(back.status).toBe(200);
    await s.stop();
  });
});
