import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, RawClient, type Reply } from './raw-client.js';
import { startFixture, type Fixture } from './fixture.js';

const capNames = (r: Reply): string[] => r.lines.map((l) => /^"([^"]+)"/.exec(l.text)![1]!);
const sasl = (r: Reply): string =>
  r.lines.find((l) => l.text.startsWith('"SASL"'))!.text.replace(/^"SASL" "(.*)"$/, '$1');

describe('ManageSieve server: STARTTLS and plaintext policy', () => {
  let fx: Fixture;
  let ca: Buffer;
  beforeAll(async () => {
    fx = await startFixture({ tls: true, server: { insecureAuth: false, secureLoopback: false } });
    ca = await readFile(fx.cert!);
  });
  afterAll(async () => {
    await fx.stop();
  });

  it('hides and refuses PLAIN/LOGIN before TLS, pushes capabilities after STARTTLS, then accepts PLAIN', async () => {
    const c = await RawClient.connect(fx.port);
    const greeting = await c.readReply();
    expect(capNames(greeting)).toContain('STARTTLS');
    expect(sasl(greeting).split(' ')).not.toContain('PLAIN');
    expect(sasl(greeting).split(' ')).not.toContain('LOGIN');
    let r = await c.cmd(`AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`);
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'ENCRYPT-NEEDED']);
    r = await c.cmd('AUTHENTICATE "LOGIN"\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'ENCRYPT-NEEDED']);

    r = await c.cmd('STARTTLS\r\n');
    expect(r.result.kind).toBe('OK');
    await c.startTls({ ca, servername: 'localhost' });
    // capabilities arrive without being asked, without STARTTLS, now with PLAIN
    const pushed = await c.readReply();
    expect(pushed.result.kind).toBe('OK');
    expect(capNames(pushed)).not.toContain('STARTTLS');
    expect(sasl(pushed).split(' ')).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN']));
    expect((await c.cmd('STARTTLS\r\n')).result.kind).toBe('NO');
    r = await c.cmd(`AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`);
    expect(r.result.kind).toBe('OK');
    expect(r.lines).toEqual([]);
    expect((await c.cmd('PUTSCRIPT "t" "keep;"\r\n')).result.kind).toBe('OK');
    c.close();
  });

  it('answers a NOOP pipelined right after the handshake after the pushed capabilities (sieve-connect style)', async () => {
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    await c.cmd('STARTTLS\r\n');
    await c.startTls({ ca, servername: 'localhost' });
    c.send('NOOP "STARTTLS-RESYNC-CAPA"\r\n');
    const pushed = await c.readReply();
    expect(pushed.result.code).toBeNull();
    const noop = await c.readReply();
    expect([noop.result.code, noop.result.codeArg]).toEqual(['TAG', 'STARTTLS-RESYNC-CAPA']);
    c.close();
  });

  it('discards plaintext pipelined after STARTTLS (no command injection)', async () => {
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    c.send('STARTTLS\r\nNOOP "injected"\r\n');
    expect((await c.readReply()).result.kind).toBe('OK');
    await c.startTls({ ca, servername: 'localhost' });
    await c.readReply(); // pushed capabilities
    const r = await c.cmd('NOOP "after"\r\n');
    expect(r.result.codeArg).toBe('after');
    c.close();
  });
});

describe('ManageSieve server: implicit TLS', () => {
  it('speaks TLS from the first byte and offers PLAIN', async () => {
    const fx = await startFixture({
      tls: true,
      server: { insecureAuth: false, secureLoopback: false, implicitTls: true },
    });
    try {
      const ca = await readFile(fx.cert!);
      const c = await RawClient.connect(fx.port, { ca, servername: 'localhost' });
      const g = await c.readReply();
      expect(capNames(g)).not.toContain('STARTTLS');
      expect(sasl(g).split(' ')).toContain('PLAIN');
      expect((await c.cmd(`AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`)).result.kind).toBe('OK');
      c.close();
    } finally {
      await fx.stop();
    }
  });
});
