import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { b64, lit, RawClient } from './raw-client.js';
import { startFixture, type Fixture } from './fixture.js';

const PLAIN_IR = `AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`;

async function login(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.readReply();
  expect((await c.cmd(PLAIN_IR)).result.kind).toBe('OK');
  return c;
}

/** Every path under a folder, relative to it. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

/** Small deterministic PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

describe('ManageSieve server: hostile clients', () => {
  let fx: Fixture;
  afterEach(async () => {
    await fx.stop();
  });

  it('closes on literal bombs before and after login, and keeps serving others', async () => {
    fx = await startFixture();
    const a = await RawClient.connect(fx.port);
    await a.readReply();
    const r = await a.cmd('AUTHENTICATE "PLAIN" {4294967295+}\r\n');
    expect(r.result.kind).toBe('BYE');
    expect(await a.closed()).toBe(true);

    const b = await login(fx.port);
    b.send('PUTSCRIPT "bomb" {4294967295+}\r\n');
    b.send(Buffer.alloc(64 * 1024, 0x41));
    const rb = await b.readReply();
    expect(rb.result.kind).toBe('BYE');
    expect(await b.closed()).toBe(true);

    // over-long literal number and a malformed one
    const c = await login(fx.port);
    expect((await c.cmd('PUTSCRIPT "x" {99999999999+}\r\n')).result.kind).toBe('NO');
    expect((await c.cmd('PUTSCRIPT "x" {12a+}\r\n')).result.kind).toBe('NO');
    expect((await c.cmd('NOOP "alive"\r\n')).result.codeArg).toBe('alive');
    c.close();
  });

  it('frees a client that never finishes its literal, or its line, once idle', async () => {
    fx = await startFixture({ server: { limits: { preAuthTimeoutMs: 300, idleTimeoutMs: 300 } } });
    const a = await login(fx.port);
    a.send('PUTSCRIPT "slow" {100+}\r\nkeep;');
    const r = await a.readReply();
    expect(r.result.kind).toBe('BYE');
    expect(await a.closed()).toBe(true);
    const b = await RawClient.connect(fx.port);
    await b.readReply();
    b.send('NOOP "never-ending');
    expect((await b.readReply()).result.kind).toBe('BYE');
    await waitFor(() => fx.server.connections === 0);
    expect(await fx.store.get('alice', 'slow')).toBeNull();
  });

  it('ends a connection whose line grows past the limit, without waiting for its end', async () => {
    fx = await startFixture({ server: { limits: { maxLineLength: 1024 } } });
    const a = await RawClient.connect(fx.port);
    await a.readReply();
    a.send('NOOP "' + 'x'.repeat(5000));
    expect((await a.readReply()).result.kind).toBe('BYE');
    expect(await a.closed()).toBe(true);
  });

  it('says BYE after too many invalid commands', async () => {
    fx = await startFixture({ server: { limits: { maxBadCommands: 5 } } });
    const a = await RawClient.connect(fx.port);
    await a.readReply();
    for (let i = 0; i < 5; i++) expect((await a.cmd('BOGUS\r\n')).result.kind).toBe('NO');
    expect((await a.cmd('BOGUS\r\n')).result.kind).toBe('BYE');
    expect(await a.closed()).toBe(true);
  });

  it('refuses names with /, .., NUL, controls and invalid UTF-8 and touches nothing outside the user folder', async () => {
    fx = await startFixture();
    const c = await login(fx.port);
    const bad: Buffer[] = [
      Buffer.from('../escape'),
      Buffer.from('../../../../tmp/escape'),
      Buffer.from('/etc/passwd'),
      Buffer.from('a\0b'),
      Buffer.from('a\r\nb'),
      Buffer.from([0x66, 0xff, 0xfe]),
      Buffer.from([0xc0, 0xaf]), // overlong '/'
      Buffer.from('x'.repeat(300)),
      Buffer.from('\u2028'),
    ];
    for (const name of bad) {
      for (const cmd of ['PUTSCRIPT', 'GETSCRIPT', 'SETACTIVE', 'DELETESCRIPT', 'HAVESPACE']) {
        const tail = cmd === 'PUTSCRIPT' ? ' "keep;"' : cmd === 'HAVESPACE' ? ' 10' : '';
        const r = await c.cmd(Buffer.concat([Buffer.from(`${cmd} `), lit(name), Buffer.from(`${tail}\r\n`)]));
        expect(r.result.kind, `${cmd} ${name.toString('hex')}`).toBe('NO');
      }
      const r = await c.cmd(
        Buffer.concat([Buffer.from('RENAMESCRIPT "ok" '), lit(name), Buffer.from('\r\n')]),
      );
      expect(r.result.kind).toBe('NO');
    }
    // "..", "." and names with dots are harmless file names under sieve/
    expect((await c.cmd('PUTSCRIPT ".." "keep;"\r\n')).result.kind).toBe('OK');
    expect((await c.cmd('PUTSCRIPT "ok" "keep;"\r\n')).result.kind).toBe('OK');
    expect(await tree(fx.dir)).toEqual(
      [
        'home',
        'home/alice',
        'home/alice/sieve',
        'home/alice/sieve/...sieve',
        'home/alice/sieve/ok.sieve',
        'home/alice/sieve/tmp',
        'users',
      ].sort(),
    );
    c.close();
  });

  it('survives random and malformed command streams', async () => {
    fx = await startFixture({ server: { limits: { maxBadCommands: 1000 } } });
    const rnd = prng(5804);
    const pieces = [
      'PUTSCRIPT',
      'GETSCRIPT',
      'AUTHENTICATE',
      'STARTTLS',
      'NOOP',
      'LOGOUT',
      'HAVESPACE',
      '"',
      '"\\',
      '\\',
      '{',
      '{5}',
      '{3+}',
      '}',
      '(',
      ')',
      '*',
      ' ',
      '  ',
      '"name"',
      '"PLAIN"',
      '0',
      '4294967296',
      '\0',
      '\r',
      '\n',
      '\xff',
      'é',
    ];
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(fx.port)));
    for (const c of clients) {
      let stream = '';
      for (let i = 0; i < 400; i++) {
        stream += pieces[Math.floor(rnd() * pieces.length)];
        if (rnd() < 0.15) stream += '\r\n';
      }
      c.send(Buffer.from(stream, 'latin1'));
      if (rnd() < 0.5) c.send(Buffer.from(Array.from({ length: 2000 }, () => Math.floor(rnd() * 256))));
      c.send('\r\n');
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const c of clients) c.close();
    await waitFor(() => fx.server.connections === 0);
    const ok = await login(fx.port);
    expect((await ok.cmd('NOOP "fine"\r\n')).result.codeArg).toBe('fine');
    ok.close();
    expect(await tree(fx.dir)).not.toContain('home/alice/sieve');
  });

  it('stays responsive under 10,000 rapid failed logins and locks the address out', async () => {
    fx = await startFixture({
      server: {
        limits: { maxAuthFailuresPerConnection: 100_000 },
        authThrottle: { baseDelayMs: 1, maxDelayMs: 2, maxFailuresPerAddress: 50, maxFailuresPerUser: 20 },
      },
    });
    const conns = 20;
    const perConn = 500;
    const bad = `AUTHENTICATE "PLAIN" "${b64('\0alice\0wrong')}"\r\n`;
    const codes = new Map<string, number>();
    await Promise.all(
      Array.from({ length: conns }, async () => {
        const c = await RawClient.connect(fx.port);
        await c.readReply();
        c.send(bad.repeat(perConn));
        for (let i = 0; i < perConn; i++) {
          const r = await c.readReply();
          expect(r.result.kind).toBe('NO');
          const key = r.result.code ?? 'none';
          codes.set(key, (codes.get(key) ?? 0) + 1);
        }
        c.close();
      }),
    );
    expect((codes.get('TRYLATER') ?? 0) + (codes.get('none') ?? 0)).toBe(conns * perConn);
    expect(codes.get('TRYLATER')).toBeGreaterThan(conns * perConn - 100);
    // the right password is refused while the address is locked out, other commands still work
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    const r = await c.cmd(PLAIN_IR);
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'TRYLATER']);
    expect((await c.cmd('NOOP "up"\r\n')).result.codeArg).toBe('up');
    c.close();
    expect(fx.server.throttle.size).toBeLessThan(10);
  });

  it('ends a connection after too many failed logins on it', async () => {
    fx = await startFixture({ server: { limits: { maxAuthFailuresPerConnection: 3 } } });
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    const bad = `AUTHENTICATE "PLAIN" "${b64('\0alice\0wrong')}"\r\n`;
    expect((await c.cmd(bad)).result.kind).toBe('NO');
    expect((await c.cmd(bad)).result.kind).toBe('NO');
    expect((await c.cmd(bad)).result.kind).toBe('BYE');
    expect(await c.closed()).toBe(true);
  });
});
