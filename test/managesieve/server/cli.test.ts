import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../../cli/run-cli.js';
import { RawClient } from './raw-client.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function startCli(args: string[]): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const child = spawn(process.execPath, [...cliCommand(), 'managesieve', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${log}`)), 30_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      const m = /listening on [^\s]+:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), log: () => log });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${log}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

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
    await expect(startCli(['--config', file])).rejects.toThrow(/unknown key/);
  }, 30_000);
});
