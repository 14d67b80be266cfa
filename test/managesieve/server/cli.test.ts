import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, stop } from '../helpers/cli-process.js';
import { RawClient } from './raw-client.js';

describe('tamis managesieve (CLI)', () => {
  let data: string;
  beforeAll(async () => {
    data = await mkdtemp(path.join(tmpdir(), 'tamis-cli-'));
  });
  afterAll(async () => {
    await rm(data, { recursive: true, force: true });
  });

  it('starts with embedded defaults: users file, self-signed certificate, STARTTLS, no PLAIN before TLS', async () => {
    // Loopback counts as secure by default; this run treats it as any other address.
    const config = path.join(data, 'no-loopback.json');
    await (await import('node:fs/promises')).writeFile(config, '{"secureLoopback": false}');
    const { child, port, log } = await startCli([
      '--config',
      config,
      '--data',
      data,
      '--listen',
      '127.0.0.1:0',
    ]);
    try {
      expect(log()).toContain('tamis users add');
      expect((await stat(path.join(data, 'users'))).mode & 0o777).toBe(0o600);
      const cert = await readFile(path.join(data, 'tls', 'cert.pem'), 'utf8');
      expect(cert).toContain('BEGIN CERTIFICATE');
      const c = await RawClient.connect(port);
      const g = await c.readReply();
      const lines = g.lines.map((l) => l.text);
      expect(lines).toContain('"STARTTLS"');
      expect(lines.find((l) => l.startsWith('"SASL"'))).not.toMatch(/PLAIN/);
      await c.cmd('STARTTLS\r\n');
      await c.startTls({ ca: cert, servername: 'localhost' });
      const pushed = await c.readReply();
      expect(pushed.lines.find((l) => l.text.startsWith('"SASL"'))!.text).toMatch(/PLAIN/);
      c.close();
    } finally {
      await stop(child);
    }
    // a restart reuses the certificate
    const before = await readFile(path.join(data, 'tls', 'cert.pem'), 'utf8');
    const again = await startCli(['--data', data, '--listen', '127.0.0.1:0', '--insecure-auth']);
    try {
      expect(await readFile(path.join(data, 'tls', 'cert.pem'), 'utf8')).toBe(before);
      const c = await RawClient.connect(again.port);
      const g = await c.readReply();
      expect(g.lines.find((l) => l.text.startsWith('"SASL"'))!.text).toMatch(/PLAIN/);
      c.close();
    } finally {
      await stop(again.child);
    }
  }, 60_000);

  it('rejects a bad configuration file', async () => {
    const file = path.join(data, 'bad.json');
    await (await import('node:fs/promises')).writeFile(file, '{"listne": "x"}');
    await expect(startCli(['--config', file])).rejects.toThrow(
      /exited 64: [^]*managesieve\.listne: unknown setting; did you mean listen\?/,
    );
  }, 30_000);
});
