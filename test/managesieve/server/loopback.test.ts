import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback } from '../../../src/managesieve/server/address.js';
import { b64, RawClient, type Reply } from './raw-client.js';
import { startFixture, type Fixture } from './fixture.js';

const sasl = (r: Reply): string[] =>
  r.lines
    .find((l) => l.text.startsWith('"SASL"'))!
    .text.replace(/^"SASL" "(.*)"$/, '$1')
    .split(' ');

const PY = '/usr/bin/python3';
const sievelib = spawnSync(PY, ['-c', 'import sievelib.managesieve'], { stdio: 'ignore' }).status === 0;

// Logs in as a webmail on the same host would: PLAIN, no STARTTLS.
const PROGRAM = String.raw`
import json, sys
from sievelib.managesieve import Client
c = Client("127.0.0.1", int(sys.argv[1]))
ok = bool(c.connect("alice", "secret", starttls=False, authmech="PLAIN"))
out = {"connect": ok, "sasl": c.get_sasl_mechanisms()}
if ok:
    out["put"] = c.putscript("from-webmail", "keep;")
    c.logout()
print(json.dumps(out))
`;

function runSievelib(port: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(PY, ['-c', PROGRAM, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(err)),
    );
  });
}

describe('isLoopback', () => {
  it('knows loopback addresses', () => {
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '127.255.255.255',
      '::1',
      '::ffff:127.0.0.1',
      '::FFFF:127.0.0.2',
    ])
      expect(isLoopback(a), a).toBe(true);
    for (const a of [
      '10.0.0.1',
      '128.0.0.1',
      '1.127.0.0',
      '::2',
      'fe80::1',
      '::ffff:10.0.0.1',
      'unknown',
      '',
    ])
      expect(isLoopback(a), a).toBe(false);
  });
});

describe('ManageSieve server: loopback connections', () => {
  let fx: Fixture;
  afterEach(async () => {
    await fx.stop();
  });

  it('offers and accepts PLAIN and LOGIN over loopback without TLS by default', async () => {
    fx = await startFixture({ tls: true, server: { insecureAuth: false } });
    const c = await RawClient.connect(fx.port);
    const greeting = await c.readReply();
    expect(sasl(greeting)).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN', 'SCRAM-SHA-256']));
    // STARTTLS is still offered: the client may want it anyway.
    expect(greeting.lines.map((l) => l.text)).toContain('"STARTTLS"');
    const r = await c.cmd(`AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`);
    expect(r.result.kind).toBe('OK');
    c.close();
  });

  it('treats loopback like any other address with secureLoopback: false', async () => {
    fx = await startFixture({ tls: true, server: { insecureAuth: false, secureLoopback: false } });
    const c = await RawClient.connect(fx.port);
    const greeting = await c.readReply();
    expect(sasl(greeting)).toEqual(['SCRAM-SHA-256']);
    const r = await c.cmd(`AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`);
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'ENCRYPT-NEEDED']);
    c.close();
  });

  it.skipIf(!sievelib)('lets python3-sievelib log in with PLAIN over 127.0.0.1 without TLS', async () => {
    fx = await startFixture({ tls: true, server: { insecureAuth: false } });
    const out = await runSievelib(fx.port);
    expect(out.connect).toBe(true);
    expect(out.sasl).toEqual(expect.arrayContaining(['PLAIN']));
    expect(out.put).toBe(true);
    expect((await fx.store.get('alice', 'from-webmail'))?.toString()).toBe('keep;');
  });
});
