/**
 * What the webmail tests share: a real tamis ManageSieve server on loopback (the fixture of
 * test/managesieve), the webmail listening on loopback in front of it, and a small HTTP client that
 * keeps the session cookie and CSRF token the way the pages do.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFixture, type Fixture } from '../managesieve/server/fixture.js';
import {
  createWebmailServer,
  type WebmailServer,
  type WebmailServerOptions,
} from '../../src/webmail/index.js';
import { TEST_RUN_JSON } from '../../src/app/webmail.js';

export interface Stack {
  fixture: Fixture;
  web: WebmailServer;
  url: string;
  origin: string;
  pageDir: string;
  stop(): Promise<void>;
}

export async function startStack(
  options: Partial<WebmailServerOptions> = {},
  fixture?: Fixture,
): Promise<Stack> {
  const fx = fixture ?? (await startFixture());
  const pageDir = await mkdtemp(path.join(tmpdir(), 'tamis-webmail-page-'));
  await writeFile(path.join(pageDir, 'index.html'), '<!doctype html><title>tamis settings</title>\n');
  await writeFile(path.join(pageDir, 'app.js'), 'console.log(1);\n');
  const web = createWebmailServer({
    managesieve: { host: '127.0.0.1', port: fx.port },
    pageDir,
    loginThrottle: { baseDelayMs: 0 },
    runJson: TEST_RUN_JSON,
    ...options,
  });
  const { url } = await web.listen(0, '127.0.0.1');
  return {
    fixture: fx,
    web,
    url,
    origin: url.replace(/\/$/, ''),
    pageDir,
    async stop() {
      await web.close();
      await fx.stop();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** A browser in miniature: one cookie jar, the CSRF token from login, the page's Origin. */
export class Browser {
  cookie = '';
  csrf = '';
  constructor(readonly origin: string) {}

  async request(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const h: Record<string, string> = { origin: this.origin, ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    for (const [k, v] of Object.entries(h)) if (v === '') delete h[k];
    const res = await fetch(this.origin + route, { method, headers: h, body: payload, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) {
      const m = /^tamis_session=([^;]*)/.exec(set);
      if (m) this.cookie = m[1] ? `tamis_session=${m[1]}` : '';
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  async login(user = 'alice', password = 'secret'): Promise<Answer> {
    const r = await this.request('POST', '/api/login', { user, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }

  get = (route: string) => this.request('GET', route);
  put = (route: string, body: unknown) => this.request('PUT', route, body);
  post = (route: string, body?: unknown) => this.request('POST', route, body);
  del = (route: string) => this.request('DELETE', route);
}
