import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../server/fixture.js';

const BIN = '/usr/bin/sieve-connect';
const available = existsSync(BIN);
if (!available)
  console.warn(
    'skipping sieve-connect interop: sieve-connect is not installed (apt-get install sieve-connect)',
  );

const SCRIPT =
  'require ["fileinto"];\r\nif header :contains "subject" "[list]" {\r\n  fileinto "Lists";\r\n}\r\n';
const BAD = 'require ["fileinto"];\r\nif header :contains "subject" "x" {\r\n  fileinto "Junk"\r\n}\r\n';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function spawnSc(fx: Fixture, args: string[], opts: { tls?: boolean } = {}): Promise<Run> {
  const base = [
    '-s',
    opts.tls ? 'localhost' : '127.0.0.1',
    '-p',
    String(fx.port),
    '-u',
    'alice',
    '--authmech',
    'PLAIN',
    '--nosrv',
    '--passwordfd',
    '3',
  ];
  const tlsArgs = opts.tls ? ['--tlscafile', fx.cert!] : ['--notlsverify'];
  return new Promise<Run>((resolve) => {
    const child = spawn(BIN, [...base, ...tlsArgs, ...args], {
      cwd: fx.dir,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    (child.stdio[3] as NodeJS.WritableStream).end('secret\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

describe.skipIf(!available)('interop: sieve-connect against tamis', () => {
  for (const tls of [false, true]) {
    describe(tls ? 'over STARTTLS (verified certificate)' : 'over plaintext (insecureAuth)', () => {
      let fx: Fixture;
      beforeAll(async () => {
        fx = await startFixture({ tls, quota: { maxScriptSize: 4096 }, server: { insecureAuth: !tls } });
        await writeFile(path.join(fx.dir, 'test.sieve'), SCRIPT);
        await writeFile(path.join(fx.dir, 'bad.sieve'), BAD);
        await writeFile(path.join(fx.dir, 'big.sieve'), `${'#'.repeat(5000)}\r\nkeep;\r\n`);
      });
      afterAll(async () => {
        await fx.stop();
      });
      const run = (args: string[]): Promise<Run> => spawnSc(fx, args, { tls });

      it('uploads, lists, activates, downloads byte-identical, refuses deleting the active script, deactivates, deletes', async () => {
        let r = await run(['--localsieve', 'test.sieve', '--remotesieve', 'sc-test', '--upload']);
        expect(r.code, r.stderr).toBe(0);
        r = await run(['--localsieve', 'test.sieve', '--remotesieve', 'Ünï name', '--upload']);
        expect(r.code, r.stderr).toBe(0);
        r = await run(['--list']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain('sc-test');
        expect(r.stdout).toContain('Ünï name');
        r = await run(['--remotesieve', 'sc-test', '--activate']);
        expect(r.code, r.stderr).toBe(0);
        r = await run(['--list']);
        expect(r.stdout).toContain('"sc-test" ACTIVE');
        r = await run(['--remotesieve', 'sc-test', '--localsieve', 'out.sieve', '--download']);
        expect(r.code, r.stderr).toBe(0);
        expect(await readFile(path.join(fx.dir, 'out.sieve'))).toEqual(Buffer.from(SCRIPT));
        r = await run(['--remotesieve', 'sc-test', '--delete']);
        expect(r.code).not.toBe(0);
        expect(r.stdout + r.stderr).toMatch(/ACTIVE/);
        r = await run(['--deactivate']);
        expect(r.code, r.stderr).toBe(0);
        r = await run(['--remotesieve', 'sc-test', '--delete']);
        expect(r.code, r.stderr).toBe(0);
        r = await run(['--list']);
        expect(r.stdout).not.toContain('sc-test');
      }, 60_000);

      it('shows the compile error of a bad script and the quota error of a large one', async () => {
        let r = await run(['--localsieve', 'bad.sieve', '--remotesieve', 'bad', '--upload']);
        expect(r.code).not.toBe(0);
        expect(r.stdout + r.stderr).toMatch(/line \d+: error/);
        r = await run(['--localsieve', 'bad.sieve', '--checkscript']);
        expect(r.code).not.toBe(0);
        r = await run(['--localsieve', 'test.sieve', '--checkscript']);
        expect(r.code, r.stderr).toBe(0);
        r = await run(['--localsieve', 'big.sieve', '--remotesieve', 'big', '--upload']);
        expect(r.code).not.toBe(0);
        expect(r.stdout + r.stderr).toMatch(/QUOTA\/MAXSIZE|too large/i);
        expect(await fx.store.get('alice', 'big')).toBeNull();
      }, 60_000);

      it('runs a scripted session (--exec)', async () => {
        await writeFile(
          path.join(fx.dir, 'cmds.txt'),
          'put test.sieve scx\nlist\nactivate scx\nget scx -\ndeactivate\ndelete scx\nlist\nquit\n',
        );
        const r = await run(['--exec', 'cmds.txt']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain('fileinto "Lists"');
        expect(await fx.store.get('alice', 'scx')).toBeNull();
      }, 60_000);
    });
  }
});
