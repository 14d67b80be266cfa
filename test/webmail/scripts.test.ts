import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManageSieveClient } from '../../src/managesieve/client/index.js';
import { Browser, startStack, type Stack } from './stack.js';

let stack: Stack;
let b: Browser;
beforeAll(async () => {
  stack = await startStack({ limits: { maxScriptSize: 64 * 1024, maxTestMessageSize: 100 * 1024 } });
  b = new Browser(stack.origin);
  await b.login();
});
afterAll(() => stack.stop());

const FILTER = 'require ["fileinto"];\nif header :contains "subject" "report" {\n  fileinto "Reports";\n}\n';
const MESSAGE =
  'From: Carol <carol@example.org>\r\nTo: alice@example.org\r\nSubject: weekly report\r\n\r\nnumbers\r\n';

/** Every file under a folder, relative to it. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  return out.sort();
}

describe('the scripts routes, against a tamis ManageSieve server', () => {
  it('puts, lists, reads, activates, deactivates and deletes scripts', async () => {
    expect((await b.put('/api/scripts/filters', { content: FILTER })).body).toEqual({ name: 'filters' });
    expect((await b.get('/api/scripts')).body).toEqual({ scripts: [{ name: 'filters', active: false }] });
    expect((await b.post('/api/scripts/filters/activate')).status).toBe(204);
    expect((await b.get('/api/scripts/filters')).body).toEqual({
      name: 'filters',
      active: true,
      content: FILTER,
    });
    // The active script cannot be deleted.
    expect((await b.del('/api/scripts/filters')).status).toBe(409);
    expect((await b.post('/api/scripts/deactivate')).status).toBe(204);
    expect((await b.get('/api/scripts')).body.scripts).toEqual([{ name: 'filters', active: false }]);
    expect((await b.del('/api/scripts/filters')).status).toBe(204);
    expect((await b.get('/api/scripts/filters')).status).toBe(404);
    expect((await b.del('/api/scripts/filters')).body.error).toBe('not_found');
    expect((await b.post('/api/scripts/nothing/activate')).status).toBe(404);
  });

  it('refuses a script with errors, with the diagnostics, and stores nothing', async () => {
    const r = await b.put('/api/scripts/broken', { content: 'if header :contains "subject" {\n  keep;\n' });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_script');
    expect(r.body.errors.length).toBeGreaterThan(0);
    expect(r.body.errors[0]).toMatchObject({
      severity: 'error',
      line: expect.any(Number),
      code: expect.any(String),
    });
    expect((await b.get('/api/scripts')).body.scripts).toEqual([]);
  });

  it('checks a script with the engine: errors and warnings with codes and positions', async () => {
    const ok = await b.post('/api/check', { content: FILTER });
    expect(ok.body).toEqual({ valid: true, errors: [] });
    const bad = await b.post('/api/check', { content: 'require "fileinto";\nfileinto;\n' });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.errors[0]).toMatchObject({ line: 2, severity: 'error' });
    expect(typeof bad.body.errors[0].code).toBe('string');
  });

  it('tests a message against a given script and against the active one', async () => {
    const r = await b.post('/api/test', { message: MESSAGE, script: FILTER });
    expect(r.status).toBe(200);
    expect(r.body.actions).toEqual([{ type: 'fileinto', mailbox: 'Reports' }]);
    expect(r.body.trace.length).toBeGreaterThan(0);
    expect(r.body.trace[0]).toHaveProperty('line');
    expect(r.body.errors).toEqual([]);
    // No active script: the implicit keep.
    const none = await b.post('/api/test', { message: MESSAGE });
    expect(none.body.actions).toEqual([expect.objectContaining({ type: 'keep' })]);
    await b.put('/api/scripts/main', { content: FILTER });
    await b.post('/api/scripts/main/activate');
    const active = await b.post('/api/test', {
      message: MESSAGE,
      envelope: { from: 'x@example.net', to: 'alice@example.org' },
    });
    expect(active.body.actions[0]).toMatchObject({ type: 'fileinto', mailbox: 'Reports' });
    const broken = await b.post('/api/test', { message: MESSAGE, script: 'fileinto;' });
    expect(broken.body.errors.length).toBeGreaterThan(0);
  });

  it('reports the ManageSieve capabilities', async () => {
    const r = await b.get('/api/capabilities');
    expect(r.status).toBe(200);
    expect(r.body.extensions).toContain('fileinto');
    expect(r.body.maxRedirects).toBeGreaterThan(0);
    expect(r.body.maxScriptSize).toBe(64 * 1024);
  });
});

describe('hostile input', () => {
  it('refuses bodies over the limits with 413, and keeps serving', async () => {
    const big = await b.put('/api/scripts/big', { content: '#' + 'x'.repeat(65 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('too_large');
    const huge = await b.put('/api/vacation', {
      enabled: true,
      subject: 'a',
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    const message = await b.post('/api/test', { message: 'Subject: x\r\n\r\n' + 'y'.repeat(101 * 1024) });
    expect(message.status).toBe(413);
    expect((await b.get('/api/session')).status).toBe(200);
  });

  it('refuses the wrong JSON types', async () => {
    for (const [route, body] of [
      ['/api/scripts/x', { content: 42 }],
      ['/api/scripts/x', { content: ['a'] }],
      ['/api/scripts/x', 'just a string'],
      ['/api/scripts/x', null],
    ] as const) {
      const r = await b.put(route, body);
      expect(r.status, `${route} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error).toMatch(/invalid_/);
    }
    expect((await b.post('/api/check', { content: { a: 1 } })).status).toBe(400);
    expect((await b.post('/api/test', { message: 1 })).status).toBe(400);
    expect((await b.post('/api/test', { message: MESSAGE, envelope: 'x' })).status).toBe(400);
    expect((await b.post('/api/test', { message: MESSAGE, envelope: { to: 'a\r\nb' } })).status).toBe(400);
    const login = new Browser(stack.origin);
    expect((await login.post('/api/login', { user: ['alice'], password: 'secret' })).status).toBe(400);
    expect((await login.post('/api/login', { user: 'alice\u0000', password: 'secret' })).status).toBe(400);
  });

  it('never lets a script name leave the user folder; NUL and control characters are refused', async () => {
    const before = await files(stack.fixture.dir);
    for (const name of ['..%2F..%2Fescape', '..%2Fbob%2Fsieve%2Fx', '%2Fetc%2Fpasswd', '..%5C..%5Cwin']) {
      const r = await b.put(`/api/scripts/${name}`, { content: FILTER });
      expect([200, 400]).toContain(r.status);
    }
    const after = await files(stack.fixture.dir);
    const added = after.filter((f) => !before.includes(f));
    for (const f of added) expect(f.startsWith(path.join('home', 'alice') + path.sep)).toBe(true);
    expect((await b.put('/api/scripts/a%00b', { content: FILTER })).body.error).toBe('invalid_name');
    expect((await b.put('/api/scripts/a%0Ab', { content: FILTER })).body.error).toBe('invalid_name');
    expect((await b.put('/api/scripts/x', { content: 'keep;\u0000' })).status).toBe(400);
  });

  it('keeps unicode script names and content intact', async () => {
    const name = 'filtres été ✉';
    const content = '# règles de Zoé ✉\r\nkeep;\r\n';
    const r = await b.put(`/api/scripts/${encodeURIComponent(name)}`, { content });
    expect(r.status).toBe(200);
    expect(r.body.name).toBe(name);
    expect((await b.get(`/api/scripts/${encodeURIComponent(name)}`)).body.content).toBe(content);
    const c = await ManageSieveClient.connect('127.0.0.1', stack.fixture.port);
    await c.authenticate('PLAIN', 'alice', 'secret');
    expect((await c.getScriptBytes(name)).equals(Buffer.from(content, 'utf8'))).toBe(true);
    c.destroy();
  });
});
