import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/accounts/index.js';
import { ManageSieveClient, ManageSieveError } from '../../../src/managesieve/client/index.js';
import {
  dovecotAvailable,
  dovecotSkipReason,
  opensslAvailable,
  startDovecot,
  type DovecotServer,
} from '../helpers/dovecot.js';

if (!dovecotAvailable()) console.warn(`skipping Dovecot client tests: ${dovecotSkipReason}`);

const SCRIPT =
  'require ["fileinto"];\r\n# Ünïcødé comment, "quotes" and \\backslash\\\r\nif header :contains "subject" "spam" {\r\n  fileinto "Junk";\r\n}\r\n';
const BIG = 'keep;\n' + '# ' + 'x'.repeat(3000) + '\n';

describe.skipIf(!dovecotAvailable())('ManageSieveClient against Dovecot managesieved', () => {
  let dv: DovecotServer;
  const clients: ManageSieveClient[] = [];
  const open = async (opts: Parameters<typeof ManageSieveClient.connect>[2] = {}) => {
    const c = await ManageSieveClient.connect(dv.host, dv.port, { timeoutMs: 20000, ...opts });
    clients.push(c);
    return c;
  };
  const login = async (
    user = 'alice',
    pw = 'secret',
    opts: Parameters<typeof ManageSieveClient.connect>[2] = {},
  ) => {
    const c = await open(opts);
    await c.authenticate('PLAIN', user, pw);
    return c;
  };

  beforeAll(async () => {
    dv = await startDovecot({
      users: [
        { user: 'alice', password: '{PLAIN}secret' },
        { user: 'bob', password: await hashPassword('bobs pässword', 'SHA512-CRYPT') },
        { user: 'carol', password: await hashPassword('carolpw', 'SCRAM-SHA-256') },
        { user: 'dave', password: await hashPassword('davepw', 'BLF-CRYPT', { rounds: 4 }) },
        { user: 'erin', password: '{PLAIN}erinpw' },
      ],
    });
  }, 30000);
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await dv?.stop();
  });

  it('reads the greeting capabilities', async () => {
    const c = await open();
    expect(c.capabilities.implementation).toMatch(/Pigeonhole/);
    expect(c.capabilities.version).toBe('1.0');
    expect(c.capabilities.sasl).toEqual(['PLAIN', 'LOGIN', 'SCRAM-SHA-256']);
    expect(c.capabilities.sieve).toContain('fileinto');
    expect(c.capabilities.startTls).toBe(false);
    expect(c.greeting).toMatch(/ready/);
    expect((await c.capability()).sasl).toContain('PLAIN');
    await c.logout();
    expect(c.connected).toBe(false);
  });

  it.each([
    ['PLAIN', 'alice', 'secret'],
    ['LOGIN', 'alice', 'secret'],
    ['SCRAM-SHA-256', 'alice', 'secret'],
    ['SCRAM-SHA-256', 'carol', 'carolpw'],
    ['PLAIN', 'bob', 'bobs pässword'],
    ['LOGIN', 'dave', 'davepw'],
  ] as const)('authenticates with %s as %s', async (mech, user, pw) => {
    const c = await open();
    await c.authenticate(mech, user, pw);
    expect(c.authenticatedAs).toBe(user);
    // Capabilities were refreshed after login: Dovecot then drops SASL and adds MAXREDIRECTS.
    expect(c.capabilities.sasl).toEqual([]);
    expect(c.capabilities.maxRedirects).toBe(4);
    await c.listScripts();
    await c.logout();
  });

  it('accepts an authzid equal to the user and reports failures as NO', async () => {
    const c = await open();
    await c.authenticate('PLAIN', 'erin', 'erinpw', 'erin');
    await c.logout();
    for (const mech of ['PLAIN', 'LOGIN', 'SCRAM-SHA-256'] as const) {
      const d = await open();
      const err = await d.authenticate(mech, 'alice', 'wrong').catch((e: unknown) => e);
      expect(err, mech).toBeInstanceOf(ManageSieveError);
      expect((err as ManageSieveError).response).toBe('NO');
      expect((err as ManageSieveError).command).toBe('AUTHENTICATE');
      // A failed attempt can be retried on the same connection.
      await d.authenticate('PLAIN', 'alice', 'secret');
      await d.logout();
    }
  });

  it('runs every script command with byte-exact round trips', async () => {
    const c = await login('bob', 'bobs pässword');
    await c.haveSpace('main', Buffer.byteLength(SCRIPT));
    const tooBig = await c.haveSpace('main', 999_999_999).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(ManageSieveError);
    expect((tooBig as ManageSieveError).code).toBe('QUOTA/MAXSIZE');
    expect((tooBig as ManageSieveError).hasCode('QUOTA')).toBe(true);

    expect(await c.putScript('main', SCRIPT)).toEqual({});
    expect(await c.getScript('main')).toBe(SCRIPT);
    await c.putScript('big', BIG);
    expect(await c.getScript('big')).toBe(BIG);
    await c.putScript('Ünïcødé name', 'keep;');
    await c.putScript('with "quotes" and \\', 'keep;\n');
    const lf = Buffer.from('# bare LF\nkeep;\n');
    await c.putScript('lf', lf);
    expect((await c.getScriptBytes('lf')).equals(lf)).toBe(true);
    await c.putScript('empty', '');
    expect(await c.getScript('empty')).toBe('');

    await c.setActive('main');
    const list = await c.listScripts();
    expect(list).toEqual(
      expect.arrayContaining([
        { name: 'main', active: true },
        { name: 'big', active: false },
        { name: 'Ünïcødé name', active: false },
        { name: 'with "quotes" and \\', active: false },
        { name: 'lf', active: false },
        { name: 'empty', active: false },
      ]),
    );
    expect(list.filter((s) => s.active)).toHaveLength(1);

    const bad = await c.putScript('broken', 'if foo {\r\n').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ManageSieveError);
    expect((bad as ManageSieveError).message).toMatch(/line 2: error/);
    expect((await c.listScripts()).map((s) => s.name)).not.toContain('broken');

    const delActive = await c.deleteScript('main').catch((e: unknown) => e);
    expect((delActive as ManageSieveError).code).toBe('ACTIVE');
    await c.renameScript('main', 'primary');
    expect((await c.listScripts()).find((s) => s.name === 'primary')).toEqual({
      name: 'primary',
      active: true,
    });
    expect(((await c.renameScript('primary', 'big').catch((e: unknown) => e)) as ManageSieveError).code).toBe(
      'ALREADYEXISTS',
    );
    for (const op of [
      () => c.renameScript('nosuch', 'x'),
      () => c.getScript('nosuch'),
      () => c.deleteScript('nosuch'),
      () => c.setActive('nosuch'),
    ]) {
      const e = await op().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ManageSieveError);
      expect((e as ManageSieveError).code).toBe('NONEXISTENT');
    }

    await c.setActive('');
    await c.setActive('');
    expect((await c.listScripts()).some((s) => s.active)).toBe(false);
    await c.deleteScript('primary');
    expect((await c.listScripts()).map((s) => s.name)).not.toContain('primary');

    expect(await c.checkScript(SCRIPT)).toEqual({});
    const w = await c.checkScript('require "vacation"; vacation :days 0 "away";');
    expect(w.warnings).toMatch(/warning/);
    const checkErr = await c.checkScript('if foo {\r\n').catch((e: unknown) => e);
    expect((checkErr as ManageSieveError).message).toMatch(/line 2/);

    expect(await c.noop()).toEqual({});
    expect(await c.noop('sync-42')).toEqual({ tag: 'sync-42' });
    expect(await c.noop('a "quoted" tag')).toEqual({ tag: 'a "quoted" tag' });

    // Dovecot 2.3 does not implement UNAUTHENTICATE.
    const un = await c.unauthenticate().catch((e: unknown) => e);
    expect(un).toBeInstanceOf(ManageSieveError);
    await c.logout();
  });

  it('refuses script commands before login with a NO', async () => {
    const c = await open();
    await expect(c.listScripts()).rejects.toMatchObject({ response: 'NO' });
    await c.logout();
  });

  it('works with synchronizing literals and concurrent calls', async () => {
    const c = await login('alice', 'secret', { nonSynchronizingLiterals: false });
    await Promise.all([c.putScript('s1', BIG), c.putScript('s2', SCRIPT + '\n'), c.noop('x')]);
    const [a, b] = await Promise.all([c.getScript('s1'), c.getScript('s2')]);
    expect(a).toBe(BIG);
    expect(b).toBe(SCRIPT + '\n');
    await c.logout();
  });
});

describe.skipIf(!dovecotAvailable() || !opensslAvailable())('ManageSieveClient TLS against Dovecot', () => {
  let dv: DovecotServer;
  beforeAll(async () => {
    dv = await startDovecot({
      users: [{ user: 'alice', password: '{PLAIN}secret' }],
      tls: true,
      implicitTls: true,
      sieveSettings: { sieve_quota_max_scripts: '2', sieve_max_script_size: '1K' },
    });
  }, 30000);
  afterAll(async () => {
    await dv?.stop();
  });

  it('upgrades with STARTTLS, verifying the certificate, and re-reads capabilities', async () => {
    const c = await ManageSieveClient.connect('localhost', dv.port, {
      tls: 'starttls',
      tlsOptions: { ca: dv.certPem },
    });
    expect(c.secure).toBe(true);
    expect(c.capabilities.startTls).toBe(false);
    expect(c.capabilities.sasl).toContain('PLAIN');
    await expect(c.startTls()).rejects.toThrow(/already/);
    await c.authenticate('SCRAM-SHA-256', 'alice', 'secret');
    await c.putScript('q0', 'keep;');
    await c.putScript('q1', 'keep;');
    const e = await c.putScript('q2', 'keep;').catch((x: unknown) => x);
    expect((e as ManageSieveError).code).toBe('QUOTA/MAXSCRIPTS');
    await c.haveSpace('q0', 5);
    expect(((await c.haveSpace('x', 2000).catch((x: unknown) => x)) as ManageSieveError).code).toBe(
      'QUOTA/MAXSIZE',
    );
    await c.logout();
  });

  it('starts TLS by hand after reading a greeting that offers it', async () => {
    const c = await ManageSieveClient.connect('127.0.0.1', dv.port);
    expect(c.capabilities.startTls).toBe(true);
    await c.startTls({ ca: dv.certPem });
    expect(c.secure).toBe(true);
    await c.authenticate('PLAIN', 'alice', 'secret');
    await c.logout();
  });

  it('connects with implicit TLS', async () => {
    // The address itself, with the certificate's name for verification: tls.connect to a name with
    // two addresses (::1 and 127.0.0.1) can stall while it tries them on a busy machine.
    const c = await ManageSieveClient.connect('127.0.0.1', dv.tlsPort!, {
      tls: 'implicit',
      tlsOptions: { ca: dv.certPem, servername: 'localhost' },
    });
    expect(c.secure).toBe(true);
    await c.authenticate('LOGIN', 'alice', 'secret');
    expect((await c.listScripts()).length).toBe(2);
    await c.logout();
  });

  it('rejects an unverified certificate unless told otherwise', async () => {
    await expect(ManageSieveClient.connect('localhost', dv.port, { tls: 'starttls' })).rejects.toThrow(
      /certificate/i,
    );
    const c = await ManageSieveClient.connect('127.0.0.1', dv.port, {
      tls: 'starttls',
      tlsOptions: { rejectUnauthorized: false },
    });
    expect(c.secure).toBe(true);
    await c.logout();
  });
});
