import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManageSieveClient } from '../../src/managesieve/client/index.js';
import { SieveEngine } from '../../src/index.js';
import { Browser, startStack, type Stack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

/** A ManageSieve session of the test's own, to see what the webmail really stored. */
async function over<T>(user: string, password: string, fn: (c: ManageSieveClient) => Promise<T>): Promise<T> {
  const c = await ManageSieveClient.connect('127.0.0.1', stack.fixture.port);
  try {
    await c.authenticate('PLAIN', user, password);
    return await fn(c);
  } finally {
    c.destroy();
  }
}

const VACATION = {
  enabled: true,
  subject: 'Away: ${subject}',
  body: 'I am away until Monday.\nUrgent: call Zoé.',
  days: 3,
  addresses: ['alice@example.org'],
};

const OWN_RULES =
  'require ["fileinto"];\r\n# my rules\r\nif header :contains "subject" "[list]" {\r\n  fileinto "Lists";\r\n}\r\n';

describe('vacation and forwarding through the webmail, read back over ManageSieve', () => {
  it('creates and activates the script when there is none', async () => {
    const b = new Browser(stack.origin);
    await b.login('bob', 'hunter2');
    expect((await b.get('/api/vacation')).body).toEqual({ enabled: false });
    const r = await b.put('/api/vacation', VACATION);
    expect(r.status).toBe(200);
    expect(r.body.script).toBe('managesieve');
    expect(r.body.settings).toMatchObject(VACATION);
    const got = await b.get('/api/vacation');
    expect(got.body).toMatchObject(VACATION);
    await over('bob', 'hunter2', async (c) => {
      expect(await c.listScripts()).toEqual([{ name: 'managesieve', active: true }]);
      const text = await c.getScript('managesieve');
      expect(text).toContain('vacation');
      expect(new SieveEngine().compile(text).errors).toEqual([]);
    });
  });

  it("puts the rule into the user's active script and keeps the other rules byte for byte", async () => {
    await over('alice', 'secret', async (c) => {
      await c.putScript('main', OWN_RULES);
      await c.setActive('main');
    });
    const b = new Browser(stack.origin);
    await b.login();
    const r = await b.put('/api/vacation', VACATION);
    expect(r.status).toBe(200);
    expect(r.body.script).toBe('main');
    const text = await over('alice', 'secret', async (c) => {
      expect((await c.listScripts()).find((s) => s.active)?.name).toBe('main');
      return c.getScript('main');
    });
    expect(new SieveEngine().compile(text).errors).toEqual([]);
    expect(text).toContain(
      '# my rules\r\nif header :contains "subject" "[list]" {\r\n  fileinto "Lists";\r\n}\r\n',
    );
    // Turning it off keeps the rule and the rest.
    const off = await b.put('/api/vacation', { enabled: false });
    expect(off.status).toBe(200);
    expect((await b.get('/api/vacation')).body).toMatchObject({ ...VACATION, enabled: false });
    const after = await over('alice', 'secret', (c) => c.getScript('main'));
    expect(after).toContain(
      '# my rules\r\nif header :contains "subject" "[list]" {\r\n  fileinto "Lists";\r\n}\r\n',
    );
    // Forwarding goes into the same script.
    const fw = await b.put('/api/forward', { enabled: true, to: ['desk@example.org'], keepCopy: true });
    expect(fw.status).toBe(200);
    expect((await b.get('/api/forward')).body).toEqual({
      enabled: true,
      to: ['desk@example.org'],
      keepCopy: true,
    });
    const last = await over('alice', 'secret', (c) => c.getScript('main'));
    expect(last).toContain('desk@example.org');
    expect(last).toContain('fileinto "Lists"');
  });

  it('answers 409 for a rule it does not fully understand, and writes it with force', async () => {
    // A test the settings have no field for: replacing the rule would lose it.
    const odd =
      'require ["vacation"];\r\n# rule:[Out of Office]\r\nif header :contains "to" "me@example.com"\r\n{\r\n\tvacation :days 7 "Away";\r\n}\r\n';
    await over('alice', 'secret', async (c) => {
      await c.putScript('odd', odd);
      await c.setActive('odd');
    });
    const b = new Browser(stack.origin);
    await b.login();
    const r = await b.put('/api/vacation', VACATION);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'conflict', forceable: true });
    expect(typeof r.body.message).toBe('string');
    expect(r.body.current).toContain('me@example.com');
    expect(r.body.proposed).toContain('I am away until Monday.');
    expect(await over('alice', 'secret', (c) => c.getScript('odd'))).toBe(odd);
    const forced = await b.put('/api/vacation?force=true', VACATION);
    expect(forced.status).toBe(200);
    const now = await over('alice', 'secret', (c) => c.getScript('odd'));
    expect(now).toContain('I am away until Monday.');
    expect(new SieveEngine().compile(now).errors).toEqual([]);
  });

  it('runs the requests of one session in turn, so parallel edits of one script both land', async () => {
    const b = new Browser(stack.origin);
    await b.login();
    await b.post('/api/scripts/deactivate');
    const [v, f] = await Promise.all([
      b.put('/api/vacation', { ...VACATION, body: 'parallel one' }),
      b.put('/api/forward', { enabled: true, to: ['parallel@example.org'], keepCopy: false }),
    ]);
    expect([v.status, f.status]).toEqual([200, 200]);
    expect(v.body.script).toBe(f.body.script);
    const text = await over('alice', 'secret', (c) => c.getScript(v.body.script));
    expect(text).toContain('parallel one');
    expect(text).toContain('parallel@example.org');
  });

  it('refuses invalid settings with 400 and the field', async () => {
    const b = new Browser(stack.origin);
    await b.login();
    let r = await b.put('/api/vacation', { ...VACATION, days: 'three' });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_settings');
    expect(r.body.field).toBe('days');
    r = await b.put('/api/forward', { enabled: true, to: ['not an address'], keepCopy: false });
    expect(r.status).toBe(400);
    expect(r.body.field).toMatch(/^to/);
    r = await b.put('/api/vacation', { ...VACATION, subject: 'a\u0000b' });
    expect(r.status).toBe(400);
    r = await b.put('/api/vacation', [1, 2]);
    expect(r.status).toBe(400);
    r = await b.request('PUT', '/api/vacation', '{"enabled": tru', {});
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_input');
    r = await b.request('PUT', '/api/vacation', 'enabled=true', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(400);
    r = await b.request('PUT', '/api/vacation', '{"__proto__": {"enabled": true}}', {});
    expect(r.status).toBe(400);
  });

  it('previews the reply the engine would send, for a sample message', async () => {
    const b = new Browser(stack.origin);
    await b.login();
    const r = await b.post('/api/vacation/preview', { ...VACATION, sampleSubject: 'Lunch on Friday?' });
    expect(r.status).toBe(200);
    expect(r.body.subject).toBe('Away: Lunch on Friday?');
    expect(r.body.to).toContain('sender@example.org');
    expect(r.body.from).toContain('alice@example.org');
    expect(r.body.text).toContain('Urgent: call Zoé.');
    expect(r.body.headers['Auto-Submitted']).toBe('auto-replied (vacation)');
    expect(r.body.html).toBeUndefined();
    const html = await b.post('/api/vacation/preview', { ...VACATION, html: '<p>I am <b>away</b>.</p>' });
    expect(html.status).toBe(200);
    expect(html.body.subject).toBe('Away: Sample subject');
    expect(html.body.html).toContain('<b>away</b>');
    const bad = await b.post('/api/vacation/preview', { ...VACATION, sampleSubject: 'two\r\nlines' });
    expect(bad.status).toBe(400);
  });
});
