import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import { cliCommand } from '../../cli/run-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSieveClientCommand } from '../../../src/cli/sieve-client.js';
import { hashPassword } from '../../../src/accounts/index.js';
import {
  dovecotAvailable,
  dovecotSkipReason,
  opensslAvailable,
  startDovecot,
  type DovecotServer,
} from '../helpers/dovecot.js';

if (!dovecotAvailable()) console.warn(`skipping sieve-client CLI tests: ${dovecotSkipReason}`);

const SCRIPT =
  'require ["fileinto"];\r\nif header :contains "subject" "Ünï" {\r\n  fileinto "Junk";\r\n}\r\n';

async function run(args: string[], stdin = ''): Promise<{ out: Buffer; err: string; code: number }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  let err = '';
  stdout.on('data', (d: Buffer) => chunks.push(d));
  const stderr = new PassThrough();
  stderr.on('data', (d) => (err += d));
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: (s) => (err += s), writeOut: () => undefined });
  registerSieveClientCommand(program, { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr });
  let code = 0;
  try {
    await program.parseAsync(['node', 'tamis', 'sieve-client', ...args]);
  } catch (e) {
    code = (e as { exitCode?: number }).exitCode ?? 99;
  }
  return { out: Buffer.concat(chunks), err, code };
}

describe.skipIf(!dovecotAvailable())('tamis sieve-client against Dovecot', () => {
  let dv: DovecotServer;
  let dir: string;
  let base: string[];
  beforeAll(async () => {
    dv = await startDovecot({
      users: [
        { user: 'alice', password: await hashPassword('secret', 'SHA512-CRYPT') },
        { user: 'bob', password: '{PLAIN}bobpw' },
      ],
    });
    dir = await mkdtemp(path.join(tmpdir(), 'tamis-sc-'));
    base = [
      '--host',
      dv.host,
      '--port',
      String(dv.port),
      '--user',
      'alice',
      '--password-env',
      'TAMIS_TEST_PW',
    ];
    process.env.TAMIS_TEST_PW = 'secret';
  }, 30000);
  afterAll(async () => {
    delete process.env.TAMIS_TEST_PW;
    await dv?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('put, list, activate, get, rename, check, deactivate, delete', async () => {
    const file = path.join(dir, 'in.sieve');
    await writeFile(file, SCRIPT);
    expect(await run([...base, 'put', 'main script', file])).toMatchObject({ code: 0 });
    expect(await run(['put', 'other', '-', ...base], 'keep;\n')).toMatchObject({ code: 0 });
    expect((await run([...base, 'activate', 'main script'])).code).toBe(0);
    let r = await run([...base, 'list']);
    expect(r.out.toString().split('\n').sort()).toEqual(['', 'main script\t(active)', 'other']);
    r = await run([...base, 'list', '--json']);
    expect(JSON.parse(r.out.toString())).toEqual(
      expect.arrayContaining([
        { name: 'main script', active: true },
        { name: 'other', active: false },
      ]),
    );
    r = await run([...base, 'get', 'main script']);
    expect(r.out.equals(Buffer.from(SCRIPT))).toBe(true);
    const outFile = path.join(dir, 'out.sieve');
    expect((await run([...base, 'get', 'main script', outFile])).code).toBe(0);
    expect((await readFile(outFile)).equals(Buffer.from(SCRIPT))).toBe(true);
    expect((await run([...base, 'rename', 'main script', 'primary'])).code).toBe(0);

    r = await run([...base, 'delete', 'primary']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/DELETESCRIPT failed: NO \(ACTIVE\)/);

    expect((await run([...base, 'check', file])).out.toString()).toBe('OK\n');
    const bad = path.join(dir, 'bad.sieve');
    await writeFile(bad, 'if foo {\n');
    r = await run([...base, 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/line 2: error/);
    r = await run([...base, 'put', 'bad', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PUTSCRIPT failed: NO/);

    expect((await run([...base, 'deactivate'])).code).toBe(0);
    expect((await run([...base, 'delete', 'primary'])).code).toBe(0);
    expect((await run([...base, 'delete', 'other'])).code).toBe(0);
    expect((await run([...base, 'list'])).out.toString()).toBe('');
    r = await run([...base, 'get', 'nosuch']);
    expect(r.err).toMatch(/NONEXISTENT/);
  });

  it('reads the password from standard input and honours --mech', async () => {
    const args = ['--host', dv.host, '--port', String(dv.port), '--user', 'bob'];
    expect((await run([...args, 'list'], 'bobpw\n')).code).toBe(0);
    for (const mech of ['LOGIN', 'SCRAM-SHA-256', 'PLAIN']) {
      expect((await run([...args, '--mech', mech, 'list'], 'bobpw\n')).code, mech).toBe(0);
    }
    const r = await run([...args, 'list'], 'wrong\n');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/AUTHENTICATE failed: NO/);
    expect((await run([...args, '--mech', 'OAUTHBEARER', 'list'], 'x\n')).err).toMatch(
      /does not offer OAUTHBEARER/,
    );
    expect((await run([...args, 'put', 'x', '-'], 'bobpw\nkeep;\n')).err).toMatch(
      /--password-fd or --password-env/,
    );
    expect((await run(['--port', String(dv.port), 'list'])).err).toMatch(/--user is required/);
  });

  it('fails cleanly when nothing listens', async () => {
    const r = await run([
      '--host',
      '127.0.0.1',
      '--port',
      '1',
      '--user',
      'a',
      '--password-env',
      'TAMIS_TEST_PW',
      'list',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ECONNREFUSED/);
  });

  it('runs as a process with --password-fd', async () => {
    const child = spawn(
      process.execPath,
      [
        ...cliCommand(),
        'sieve-client',
        '--host',
        dv.host,
        '--port',
        String(dv.port),
        '--user',
        'bob',
        '--password-fd',
        '3',
        'list',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, TAMIS_TEST_PW: '' } },
    );
    (child.stdio[3] as NodeJS.WritableStream).end('bobpw\n');
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status, err).toBe(0);
    expect(JSON.parse(out)).toEqual([]);
  });
});

describe.skipIf(!dovecotAvailable() || !opensslAvailable())(
  'tamis sieve-client over TLS against Dovecot',
  () => {
    let dv: DovecotServer;
    let dir: string;
    beforeAll(async () => {
      dv = await startDovecot({
        users: [{ user: 'alice', password: '{PLAIN}secret' }],
        tls: true,
        implicitTls: true,
      });
      dir = await mkdtemp(path.join(tmpdir(), 'tamis-sc-'));
      await writeFile(path.join(dir, 'ca.pem'), dv.certPem!);
      process.env.TAMIS_TEST_PW2 = 'secret';
    }, 30000);
    afterAll(async () => {
      delete process.env.TAMIS_TEST_PW2;
      await dv?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });
    const auth = ['--user', 'alice', '--password-env', 'TAMIS_TEST_PW2'];

    it('uses STARTTLS when offered and checks the certificate', async () => {
      const ca = path.join(dir, 'ca.pem');
      expect(
        (await run(['--host', 'localhost', '--port', String(dv.port), ...auth, '--cafile', ca, 'list'])).code,
      ).toBe(0);
      expect(
        (
          await run([
            '--host',
            'localhost',
            '--port',
            String(dv.port),
            ...auth,
            '--starttls',
            '--cafile',
            ca,
            'list',
          ])
        ).code,
      ).toBe(0);
      const r = await run(['--host', 'localhost', '--port', String(dv.port), ...auth, 'list']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/certificate/i);
      expect(
        (await run(['--host', '127.0.0.1', '--port', String(dv.port), ...auth, '--insecure', 'list'])).code,
      ).toBe(0);
      expect(
        (
          await run([
            '--host',
            'localhost',
            '--port',
            String(dv.tlsPort),
            ...auth,
            '--tls',
            '--cafile',
            ca,
            'list',
          ])
        ).code,
      ).toBe(0);
    });
  },
);
