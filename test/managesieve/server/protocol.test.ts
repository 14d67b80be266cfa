import { lstat, readFile, readlink, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sieveCapabilities } from '../../../src/engine.js';
import { b64, lit, RawClient, type Reply } from './raw-client.js';
import { startFixture, type Fixture } from './fixture.js';

const PLAIN_IR = `AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`;
const GOOD = 'require ["fileinto"];\r\nif header :contains "subject" "spam" {\r\n  fileinto "Junk";\r\n}\r\n';
const BAD =
  'require ["fileinto"];\r\nif header :contains "subject" "x" {\r\n  fileinto "Junk"\r\n}\r\nfoo;\r\n';

function caps(reply: Reply): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const l of reply.lines) {
    const m = /^"([^"]+)"(?: "((?:[^"\\]|\\.)*)")?$/.exec(l.text);
    expect(m, `capability line ${l.text}`).not.toBeNull();
    out.set(m![1]!, m![2] ?? null);
  }
  return out;
}

async function login(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.readReply();
  const r = await c.cmd(PLAIN_IR);
  expect(r.result.kind).toBe('OK');
  return c;
}

describe('ManageSieve server: commands', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => {
    await fx.stop();
  });

  it('greets with capabilities and keeps them standard', async () => {
    const c = await RawClient.connect(fx.port);
    const greeting = await c.readReply();
    expect(greeting.result.kind).toBe('OK');
    const cap = caps(greeting);
    expect(cap.get('IMPLEMENTATION')).toBe('tamis');
    expect(cap.get('VERSION')).toBe('1.0');
    expect(cap.get('SIEVE')).toBe(sieveCapabilities().join(' '));
    const sieve = cap.get('SIEVE')!.split(' ');
    expect(sieve).toEqual(expect.arrayContaining(['fileinto', 'vacation', 'variables', 'enotify']));
    // Test-only and vendor extensions exist in the engine but are never advertised.
    expect(sieve.filter((c) => /testsuite|^vnd\.|^comparator-i;(octet|ascii-casemap)$/.test(c))).toEqual([]);
    expect(cap.get('SASL')!.split(' ')).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN']));
    expect(cap.has('STARTTLS')).toBe(false); // no TLS configured
    expect(cap.has('OWNER')).toBe(false);
    expect(cap.get('NOTIFY')).toBe('mailto');
    const again = await c.cmd('CAPABILITY\r\n');
    expect(caps(again)).toEqual(cap);
    c.close();
  });

  it('refuses script commands before login and allows NOOP', async () => {
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    for (const cmd of ['LISTSCRIPTS', 'GETSCRIPT "x"', 'PUTSCRIPT "x" "keep;"', 'UNAUTHENTICATE']) {
      expect((await c.cmd(`${cmd}\r\n`)).result.kind).toBe('NO');
    }
    expect((await c.cmd('NOOP\r\n')).result.kind).toBe('OK');
    c.close();
  });

  it('authenticates with PLAIN: quoted and literal initial responses, continuation, cancel, bad password', async () => {
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    let r = await c.cmd(`AUTHENTICATE "PLAIN" "${b64('\0alice\0wrong')}"\r\n`);
    expect(r.result.kind).toBe('NO');
    expect(r.result.code).toBeNull();
    // continuation: empty challenge, then cancel with "*"
    c.send('AUTHENTICATE "PLAIN"\r\n');
    expect((await c.readLine()).toString()).toBe('""');
    r = await c.cmd('"*"\r\n');
    expect(r.result.kind).toBe('NO');
    expect(r.result.message).toMatch(/abort/i);
    // bare * is not a valid response
    c.send('AUTHENTICATE "PLAIN"\r\n');
    await c.readLine();
    expect((await c.cmd('*\r\n')).result.kind).toBe('NO');
    c.close();

    const d = await RawClient.connect(fx.port);
    await d.readReply();
    c.send('');
    const ir = b64('\0alice\0secret');
    r = await d.cmd(Buffer.concat([Buffer.from('AUTHENTICATE "PLAIN" '), lit(ir), Buffer.from('\r\n')]));
    expect(r.result.kind).toBe('OK');
    expect(r.lines).toEqual([]); // no capabilities: no security layer was negotiated
    r = await d.cmd(PLAIN_IR);
    expect(r.result.kind).toBe('NO'); // no re-authentication
    d.close();
  });

  it('authenticates with LOGIN over continuations (quoted and literal responses)', async () => {
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    c.send('AUTHENTICATE "LOGIN"\r\n');
    const ch1 = (await c.readLine()).toString();
    expect(ch1).toMatch(/^"[A-Za-z0-9+/=]*"$/);
    c.send(`"${b64('alice')}"\r\n`);
    await c.readLine();
    const r = await c.cmd(Buffer.concat([lit(b64('secret')), Buffer.from('\r\n')]));
    expect(r.result.kind).toBe('OK');
    const cap = caps(await c.cmd('CAPABILITY\r\n'));
    expect(cap.get('OWNER')).toBe('alice');
    expect(cap.get('MAXREDIRECTS')).toBe('4');
    expect(cap.has('SASL')).toBe(false);
    c.close();
  });

  it('gives TRANSITION-NEEDED for SCRAM when the password is not stored for SCRAM', async () => {
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    const r = await c.cmd(`AUTHENTICATE "SCRAM-SHA-256" "${b64('n,,n=alice,r=abcdefghijkl')}"\r\n`);
    expect(r.result.kind).toBe('NO');
    expect(r.result.code).toBe('TRANSITION-NEEDED');
    expect((await c.cmd('AUTHENTICATE "NOSUCH"\r\n')).result.kind).toBe('NO');
    c.close();
  });

  it('runs the whole command set with Dovecot-like results', async () => {
    const c = await login(fx.port);
    let r = await c.cmd(`HAVESPACE "main" ${Buffer.byteLength(GOOD)}\r\n`);
    expect(r.result.kind).toBe('OK');
    r = await c.cmd('HAVESPACE "main" 999999999\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA/MAXSIZE']);

    r = await c.cmd(Buffer.concat([Buffer.from('PUTSCRIPT "main" '), lit(GOOD), Buffer.from('\r\n')]));
    expect(r.result.kind).toBe('OK');
    // synchronizing literal sent in one go, and a quoted script with escapes
    r = await c.cmd('PUTSCRIPT "vacation" {17}\r\ndiscard;\r\nstop;\r\n\r\n');
    expect(r.result.kind).toBe('OK');
    r = await c.cmd('PUTSCRIPT "quoted" "if header :is \\"x\\" \\"a\\\\b\\" { keep; }"\r\n');
    expect(r.result.kind).toBe('OK');
    expect(await fx.store.get('alice', 'quoted')).toEqual(Buffer.from('if header :is "x" "a\\b" { keep; }'));
    r = await c.cmd('PUTSCRIPT "Ünïcødé name" "keep;"\r\n');
    expect(r.result.kind).toBe('OK');

    // a script that does not compile: NO with Dovecot-style "name: line N: error: ..." text, nothing stored
    r = await c.cmd(Buffer.concat([Buffer.from('PUTSCRIPT "broken" '), lit(BAD), Buffer.from('\r\n')]));
    expect(r.result.kind).toBe('NO');
    expect(r.result.message).toMatch(/^broken: line \d+: error: /);
    expect(await fx.store.get('alice', 'broken')).toBeNull();
    r = await c.cmd('PUTSCRIPT "broken2" "if foo {"\r\n');
    expect(r.result.kind).toBe('NO');

    for (const bad of ['"a/b"', '""', '"ctl\x01x"', '"e\u0301"']) {
      r = await c.cmd(`PUTSCRIPT ${bad} "keep;"\r\n`);
      expect(r.result.kind, bad).toBe('NO');
    }

    r = await c.cmd('LISTSCRIPTS\r\n');
    expect(r.lines.map((l) => l.text).sort()).toEqual(['"main"', '"quoted"', '"vacation"', '"Ünïcødé name"']);

    expect((await c.cmd('SETACTIVE "main"\r\n')).result.kind).toBe('OK');
    r = await c.cmd('SETACTIVE "nosuch"\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'NONEXISTENT']);
    r = await c.cmd('LISTSCRIPTS\r\n');
    expect(r.lines.map((l) => l.text)).toContain('"main" ACTIVE');

    r = await c.cmd('GETSCRIPT "main"\r\n');
    expect(r.result.kind).toBe('OK');
    expect(r.lines[0]!.literals[0]!.toString()).toBe(GOOD);
    r = await c.cmd('GETSCRIPT "nosuch"\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'NONEXISTENT']);

    expect((await c.cmd('RENAMESCRIPT "main" "primary"\r\n')).result.kind).toBe('OK');
    r = await c.cmd('RENAMESCRIPT "primary" "quoted"\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'ALREADYEXISTS']);
    r = await c.cmd('RENAMESCRIPT "nosuch" "x"\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'NONEXISTENT']);
    r = await c.cmd('LISTSCRIPTS\r\n');
    expect(r.lines.map((l) => l.text)).toContain('"primary" ACTIVE');

    r = await c.cmd('DELETESCRIPT "primary"\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'ACTIVE']);
    r = await c.cmd('DELETESCRIPT "nosuch"\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'NONEXISTENT']);
    expect((await c.cmd('DELETESCRIPT "quoted"\r\n')).result.kind).toBe('OK');

    r = await c.cmd(Buffer.concat([Buffer.from('CHECKSCRIPT '), lit(BAD), Buffer.from('\r\n')]));
    expect(r.result.kind).toBe('NO');
    expect(r.result.message).toMatch(/^line \d+: error: /);
    expect(
      (await c.cmd(Buffer.concat([Buffer.from('CHECKSCRIPT '), lit(GOOD), Buffer.from('\r\n')]))).result.kind,
    ).toBe('OK');

    expect((await c.cmd('NOOP\r\n')).result.code).toBeNull();
    r = await c.cmd('NOOP "sync-42"\r\n');
    expect([r.result.kind, r.result.code, r.result.codeArg]).toEqual(['OK', 'TAG', 'sync-42']);
    r = await c.cmd('noop "lower"\r\n');
    expect([r.result.code, r.result.codeArg]).toEqual(['TAG', 'lower']);
    expect((await c.cmd('FOOBAR\r\n')).result.kind).toBe('NO');
    expect((await c.cmd('GETSCRIPT\r\n')).result.kind).toBe('NO');
    expect((await c.cmd('GETSCRIPT "a" "b"\r\n')).result.kind).toBe('NO');

    r = await c.cmd('SETACTIVE ""\r\n');
    expect(r.result.kind).toBe('OK');
    r = await c.cmd('SETACTIVE ""\r\n');
    expect(r.result.kind).toBe('OK');
    r = await c.cmd('LISTSCRIPTS\r\n');
    expect(r.lines.some((l) => l.text.endsWith('ACTIVE'))).toBe(false);
    expect((await c.cmd('DELETESCRIPT "primary"\r\n')).result.kind).toBe('OK');

    expect((await c.cmd('UNAUTHENTICATE\r\n')).result.kind).toBe('OK');
    expect((await c.cmd('LISTSCRIPTS\r\n')).result.kind).toBe('NO');
    expect((await c.cmd(PLAIN_IR)).result.kind).toBe('OK');
    expect((await c.cmd('LOGOUT\r\n')).result.kind).toBe('OK');
    expect(await c.closed()).toBe(true);
  });

  it('keeps the Dovecot storage layout', async () => {
    const c = await login(fx.port);
    await c.cmd('PUTSCRIPT "main" "keep;"\r\n');
    await c.cmd('PUTSCRIPT "other" "discard;"\r\n');
    await c.cmd('SETACTIVE "main"\r\n');
    const home = path.join(fx.homes, 'alice');
    expect(await readFile(path.join(home, 'sieve', 'main.sieve'), 'utf8')).toBe('keep;');
    expect((await lstat(path.join(home, '.dovecot.sieve'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(home, '.dovecot.sieve'))).toBe('sieve/main.sieve');
    expect(((await lstat(path.join(home, 'sieve', 'main.sieve'))).mode & 0o777).toString(8)).toBe('600');
    await c.cmd('RENAMESCRIPT "main" "renamed"\r\n');
    expect(await readlink(path.join(home, '.dovecot.sieve'))).toBe('sieve/renamed.sieve');
    expect((await fx.store.getActive('alice'))!).toEqual({ name: 'renamed', content: Buffer.from('keep;') });
    await c.cmd('SETACTIVE ""\r\n');
    await expect(lstat(path.join(home, '.dovecot.sieve'))).rejects.toThrow();
    expect(await fx.store.getActive('alice')).toBeNull();
    expect(await readdir(path.join(home, 'sieve', 'tmp'))).toEqual([]);
    c.close();
  });

  it('returns scripts byte for byte (CRLF, LF, NUL-free binary-ish UTF-8)', async () => {
    const c = await login(fx.port);
    const script = Buffer.from('# ünïcode \u{1F600}\nkeep;\r\n\r\n# "quotes" and \\ backslash\n');
    expect(
      (await c.cmd(Buffer.concat([Buffer.from('PUTSCRIPT "bytes" '), lit(script), Buffer.from('\r\n')])))
        .result.kind,
    ).toBe('OK');
    const r = await c.cmd('GETSCRIPT "bytes"\r\n');
    expect(r.lines[0]!.literals[0]).toEqual(script);
    c.close();
  });
});

describe('ManageSieve server: quotas', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startFixture({ quota: { maxScripts: 3, maxStorage: 100, maxScriptSize: 40 } });
  });
  afterEach(async () => {
    await fx.stop();
  });

  it('answers QUOTA codes and checks a literal before storing it', async () => {
    const c = await login(fx.port);
    let r = await c.cmd('HAVESPACE "big" 41\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA/MAXSIZE']);
    r = await c.cmd(
      Buffer.concat([Buffer.from('PUTSCRIPT "big" '), lit('#'.repeat(2000)), Buffer.from('\r\n')]),
    );
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA/MAXSIZE']);
    expect(await fx.store.get('alice', 'big')).toBeNull();
    // the connection is still in sync after the refused literal
    expect((await c.cmd('NOOP "x"\r\n')).result.codeArg).toBe('x');

    const body = `# ${'x'.repeat(30)}\nkeep;`; // 39 bytes
    for (const n of ['q0', 'q1']) {
      expect(
        (await c.cmd(Buffer.concat([Buffer.from(`PUTSCRIPT "${n}" `), lit(body), Buffer.from('\r\n')])))
          .result.kind,
      ).toBe('OK');
    }
    // 78 bytes stored, 39 more would pass 100: plain QUOTA (total storage)
    r = await c.cmd(Buffer.concat([Buffer.from('PUTSCRIPT "q2" '), lit(body), Buffer.from('\r\n')]));
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA']);
    r = await c.cmd('HAVESPACE "q2" 39\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA']);
    // replacing an existing script only counts the difference
    expect((await c.cmd('HAVESPACE "q0" 39\r\n')).result.kind).toBe('OK');
    expect((await c.cmd('PUTSCRIPT "q2" "keep;"\r\n')).result.kind).toBe('OK');
    r = await c.cmd('PUTSCRIPT "q3" "keep;"\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA/MAXSCRIPTS']);
    r = await c.cmd('HAVESPACE "another" 1\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA/MAXSCRIPTS']);
    expect((await c.cmd('HAVESPACE "q2" 5\r\n')).result.kind).toBe('OK');
    // CHECKSCRIPT does not check quota
    expect(
      (
        await c.cmd(
          Buffer.concat([Buffer.from('CHECKSCRIPT '), lit(`${'#'.repeat(60)}\nkeep;`), Buffer.from('\r\n')]),
        )
      ).result.kind,
    ).toBe('OK');
    c.close();
  });
});

describe('ManageSieve server: configuration hooks', () => {
  it('sends REFERRAL after login when configured', async () => {
    const fx = await startFixture({
      server: { referral: (u) => (u === 'bob' ? 'sieve://other.example.net' : null) },
    });
    try {
      const c = await RawClient.connect(fx.port);
      await c.readReply();
      const r = await c.cmd(`AUTHENTICATE "PLAIN" "${b64('\0bob\0hunter2')}"\r\n`);
      expect([r.result.kind, r.result.code, r.result.codeArg]).toEqual([
        'BYE',
        'REFERRAL',
        'sieve://other.example.net',
      ]);
      expect(await c.closed()).toBe(true);
      const a = await login(fx.port);
      a.close();
    } finally {
      await fx.stop();
    }
  });

  it('answers AUTH-TOO-WEAK for a mechanism excluded by policy', async () => {
    const fx = await startFixture({ server: { allowedMechanisms: ['SCRAM-SHA-256'] } });
    try {
      const c = await RawClient.connect(fx.port);
      const g = await c.readReply();
      expect(caps(g).get('SASL')).toBe('SCRAM-SHA-256');
      const r = await c.cmd(PLAIN_IR);
      expect([r.result.kind, r.result.code]).toEqual(['NO', 'AUTH-TOO-WEAK']);
      c.close();
    } finally {
      await fx.stop();
    }
  });
});
