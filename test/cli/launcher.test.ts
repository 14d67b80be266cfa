import { execFile, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The built `tamis` command runs its bundle through V8 with a code cache (src/cli/main.ts).
// Each test works on a copy of the built files, so the cache of dist/ is never touched.
const ROOT = join(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist/cli');
const built = existsSync(join(DIST, 'main.cjs')) && existsSync(join(DIST, 'cli.cjs'));

function copyOfCli(cache: Buffer | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'tamis-launcher-'));
  mkdirSync(join(dir, 'cli'));
  for (const f of ['main.cjs', 'cli.cjs']) copyFileSync(join(DIST, f), join(dir, 'cli', f));
  if (cache) writeFileSync(join(dir, 'cli', 'cli.cjs.cache'), cache);
  // The bundle's own dependencies are found from where it lies.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'cli');
}

function run(
  cli: string,
  args: string[],
  mode?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, TAMIS_CODE_CACHE: mode ?? '' };
    execFile(process.execPath, [join(cli, 'main.cjs'), ...args], { env }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const script = join(ROOT, 'examples/scripts/inbox.sieve');

describe.skipIf(!built)('the tamis launcher and its code cache', { timeout: 60_000 }, () => {
  it.concurrent('writes a cache that the next run takes', async () => {
    const cli = copyOfCli(null);
    expect((await run(cli, ['check', script], 'report')).stderr).toContain('code cache absent');
    expect((await run(cli, ['check', script], 'write')).code).toBe(0);
    expect(readFileSync(join(cli, 'cli.cjs.cache')).length).toBeGreaterThan(1000);
    const next = await run(cli, ['check', script], 'report');
    expect(next.code).toBe(0);
    expect(next.stderr).toContain('code cache accepted');
  });

  it.concurrent('runs as usual with a damaged cache, and reports it rejected', async () => {
    const cli = copyOfCli(Buffer.from('not a V8 code cache'.repeat(100)));
    const good = await run(cli, ['check', script], 'report');
    expect(good.code).toBe(0);
    expect(good.stderr).toContain('code cache rejected');
    const broken = join(cli, 'broken.sieve');
    writeFileSync(broken, 'if true {\n');
    const bad = await run(cli, ['check', broken]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/broken\.sieve:\d+:\d+: /);
  });

  it.concurrent('ignores the cache when told to', async () => {
    const cli = copyOfCli(Buffer.from('junk'));
    const r = await run(cli, ['check', script], 'off');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.concurrent('the build made a cache that this Node takes', async () => {
    const r = await run(DIST, ['check', script], 'report');
    expect(r.stderr).toContain('code cache accepted');
  });
});

describe.skipIf(!built)('what a short command loads', () => {
  /** The packages a `tamis` run pulled in, read from the module cache as it exits. */
  function packagesLoaded(args: string[]): string[] {
    const script = `process.argv = [process.argv[0], ${JSON.stringify(join(DIST, 'main.cjs'))}, ...${JSON.stringify(args)}];
      process.on('exit', () => process.stderr.write('\\n@@' + JSON.stringify(Object.keys(require.cache))));
      require(process.argv[1]);`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const loaded = JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('@@') + 2)) as string[];
    return [
      ...new Set(
        loaded
          .filter((k) => k.includes('node_modules/'))
          .map((k) => k.split('node_modules/').pop()!.split('/')[0]!),
      ),
    ];
  }

  it('tamis check and tamis test load neither servers, hashing, TLS certificates nor stores', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'tamis-load-')), 's.sieve');
    writeFileSync(script, 'require "fileinto";\nif header :contains "subject" "x" { fileinto "X"; }\n');
    for (const args of [
      ['check', script],
      ['test', script, join(ROOT, 'examples/messages/spam.eml')],
    ]) {
      const heavy = packagesLoaded(args).filter((p) =>
        /selfsigned|@peculiar|bcryptjs|hash-wasm|smtp-server|nodemailer|pino|better-sqlite3/.test(p),
      );
      expect(heavy, args[0]).toEqual([]);
    }
  });

  it('tamis check does not load child_process, which commander asks for but never uses here', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'tamis-load-')), 's.sieve');
    writeFileSync(script, 'keep;\n');
    const probe = `process.argv = [process.argv[0], ${JSON.stringify(join(DIST, 'main.cjs'))}, 'check', ${JSON.stringify(script)}];
      process.on('exit', () => process.stderr.write('\\n@@' + JSON.stringify(process.moduleLoadList)));
      require(process.argv[1]);`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const modules = JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('@@') + 2)) as string[];
    expect(modules).not.toContain('NativeModule child_process');
    // The stand-in hands out the real module to what uses it: a redirect through a sendmail program.
    const data = mkdtempSync(join(tmpdir(), 'tamis-sendmail-'));
    const sent = join(data, 'sent');
    const sendmail = join(data, 'sendmail');
    writeFileSync(sendmail, `#!/bin/sh\necho "$@" > ${sent}.args\ncat > ${sent}\n`, { mode: 0o755 });
    writeFileSync(join(data, 'users'), 'alice:{PLAIN}x::::::\n');
    mkdirSync(join(data, 'home', 'alice', 'sieve'), { recursive: true });
    writeFileSync(join(data, 'home', 'alice', 'sieve', 'main.sieve'), 'redirect "fwd@example.com";\n');
    symlinkSync('sieve/main.sieve', join(data, 'home', 'alice', '.dovecot.sieve'));
    const config = join(data, 'tamis.json');
    writeFileSync(config, JSON.stringify({ delivery: { sending: { sendmail } } }));
    const deliver = spawnSync(
      process.execPath,
      [
        join(DIST, 'main.cjs'),
        'deliver',
        '--config',
        config,
        '--data',
        data,
        '-f',
        'bob@example.net',
        '-a',
        'alice',
      ],
      { input: 'From: bob@example.net\r\nSubject: hi\r\n\r\nhello\r\n', encoding: 'utf8' },
    );
    expect(deliver.status, deliver.stderr).toBe(0);
    expect(readFileSync(`${sent}.args`, 'utf8')).toContain('fwd@example.com');
    expect(readFileSync(sent, 'utf8')).toContain('Subject: hi');
  });
});
