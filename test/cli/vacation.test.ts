import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerForwardCommand } from '../../src/cli/forward.js';
import { registerVacationCommand } from '../../src/cli/vacation.js';
import { readVacation } from '../../src/autoresponder/index.js';
import { startFixture, type Fixture } from '../managesieve/server/fixture.js';
import { runCli } from './run-cli.js';

/** Runs `tamis <args>` in this process with its own streams. */
async function run(args: string[], stdin = ''): Promise<{ out: string; err: string; code: number }> {
  const stdout = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  const stderr = new PassThrough();
  stderr.on('data', (d) => (err += d));
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: (s) => (err += s), writeOut: (s) => (out += s) });
  const io = { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr };
  registerVacationCommand(program, io);
  registerForwardCommand(program, io);
  let code = 0;
  try {
    await program.parseAsync(['node', 'tamis', ...args]);
  } catch (e) {
    code = (e as { exitCode?: number }).exitCode ?? 99;
  }
  return { out, err, code };
}

const USER_SCRIPT =
  'require ["fileinto"];\r\n# mine\r\nif header :contains "subject" "[dev]" {\r\n  fileinto "Dev";\r\n}\r\n';
const VACATION = {
  enabled: true,
  subject: 'Absent',
  body: 'Je suis absent jusqu’au 4 janvier.\nÀ bientôt',
  start: '2026-12-21T00:00:00+01:00',
  end: '2027-01-04T00:00:00+01:00',
  timezone: 'Europe/Paris',
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tamis-vacation-'));
  await writeFile(path.join(dir, 'user.sieve'), USER_SCRIPT);
  await writeFile(path.join(dir, 'vacation.json'), JSON.stringify(VACATION));
  await writeFile(
    path.join(dir, 'forward.json'),
    JSON.stringify({ enabled: true, to: ['a@example.net', 'b@example.net'], keepCopy: true }),
  );
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tamis vacation and tamis forward on script files', () => {
  const file = (n: string) => path.join(dir, n);

  it('show prints {"enabled":false} and exits 0 when there is no rule', async () => {
    expect(await run(['vacation', 'show', '--json', file('user.sieve')])).toEqual({
      out: '{"enabled":false}\n',
      err: '',
      code: 0,
    });
    expect(await run(['forward', 'show', '--json', file('user.sieve')])).toMatchObject({
      out: '{"enabled":false}\n',
      code: 0,
    });
  });

  it('set prints the script with the rule added, the rest untouched; show reads it back', async () => {
    const r = await run(['vacation', 'set', '--settings', file('vacation.json'), file('user.sieve')]);
    expect(r.code).toBe(0);
    expect(r.out.endsWith(USER_SCRIPT.slice(USER_SCRIPT.indexOf('# mine')))).toBe(true);
    await writeFile(file('with-vacation.sieve'), r.out);
    const shown = await run(['vacation', 'show', '--json', file('with-vacation.sieve')]);
    expect(JSON.parse(shown.out)).toEqual({ ...VACATION, original: 'keep', skipSpam: true });
  });

  it('set without SCRIPT prints a new script; settings may come from standard input', async () => {
    const r = await run(
      ['forward', 'set', '--settings', '-'],
      JSON.stringify({ enabled: true, to: ['x@example.net'], keepCopy: false }),
    );
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toBe(
      '# rule:[Forwarding]\r\nif true\r\n{\r\n\tredirect "x@example.net";\r\n\tstop;\r\n}\r\n',
    );
  });

  it('disable and enable switch the rule in place', async () => {
    const off = await run(['vacation', 'disable', file('with-vacation.sieve')]);
    expect(off.out).toContain('\r\nif false # allof (currentdate');
    await writeFile(file('off.sieve'), off.out);
    expect(JSON.parse((await run(['vacation', 'show', '--json', file('off.sieve')])).out)).toMatchObject({
      enabled: false,
      subject: 'Absent',
    });
    const on = await run(['vacation', 'enable', file('off.sieve')]);
    expect(on.out).toBe(await readFile(file('with-vacation.sieve'), 'utf8'));
  });

  it('refuses bad settings with their path and message (exit 2), and broken JSON (exit 1)', async () => {
    await writeFile(file('bad.json'), JSON.stringify({ ...VACATION, days: 2, seconds: 10 }));
    const r = await run(['vacation', 'set', '--settings', file('bad.json'), file('user.sieve')]);
    // Settings that do not validate are a refusal too: nothing was written.
    expect(r.code).toBe(2);
    expect(r.err).toContain('seconds: give days or seconds, not both');
    await writeFile(file('broken.json'), '{"enabled": tru');
    const b = await run(['vacation', 'set', '--settings', file('broken.json')]);
    expect(b).toMatchObject({ code: 1, out: '' });
    expect(b.err).toMatch(/is not JSON/);
  });

  it('refuses to overwrite a rule it does not understand (exit 2), and --force overrides', async () => {
    const custom =
      'require ["vacation"];\r\n# rule:[Out of Office]\r\nif header :contains "to" "me@example.com"\r\n{\r\n\tvacation "Away";\r\n}\r\n';
    await writeFile(file('custom.sieve'), custom);
    const r = await run(['vacation', 'set', '--settings', file('vacation.json'), file('custom.sieve')]);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toContain('refused (unknown-parts)');
    expect(r.err).toContain('header :contains "to" "me@example.com"');
    const forced = await run([
      'vacation',
      'set',
      '--force',
      '--settings',
      file('vacation.json'),
      file('custom.sieve'),
    ]);
    expect(forced.code).toBe(0);
    expect(forced.out).not.toContain('header :contains "to"');
  });

  it('is registered in the tamis command line', async () => {
    const r = await runCli(['vacation', 'show', '--json', file('user.sieve')]);
    expect(r).toMatchObject({ code: 0, stdout: '{"enabled":false}\n' });
  }, 60_000);

  it('needs a SCRIPT or --user for show', async () => {
    const r = await run(['vacation', 'show']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/give a SCRIPT file/);
  });
});

describe('tamis vacation and tamis forward against the tamis ManageSieve server', () => {
  let fx: Fixture;
  let base: string[];
  beforeAll(async () => {
    fx = await startFixture();
    base = [
      '--host',
      '127.0.0.1',
      '--port',
      String(fx.port),
      '--user',
      'alice',
      '--password-env',
      'TAMIS_VACATION_PW',
    ];
    process.env.TAMIS_VACATION_PW = 'secret';
  }, 30_000);
  afterAll(async () => {
    delete process.env.TAMIS_VACATION_PW;
    await fx?.stop();
  });

  it('creates and activates a script for a user who has none, then edits the active one', async () => {
    expect((await run(['vacation', ...base, 'show', '--json'])).out).toBe('{"enabled":false}\n');
    const set = await run(['vacation', ...base, 'set', '--settings', path.join(dir, 'vacation.json')]);
    expect(set).toMatchObject({ code: 0 });
    expect(set.err).toContain('script "tamis" (now active)');
    const active = await fx.store.getActive('alice');
    expect(active?.name).toBe('tamis');
    const stored = active!.content.toString('utf8');
    expect(readVacation(stored)).toMatchObject({ found: true, settings: { body: VACATION.body } });

    const fw = await run(['forward', ...base, 'set', '--settings', path.join(dir, 'forward.json')]);
    expect(fw.code).toBe(0);
    const shown = await run(['forward', ...base, 'show', '--json']);
    expect(JSON.parse(shown.out)).toEqual({
      enabled: true,
      to: ['a@example.net', 'b@example.net'],
      keepCopy: true,
    });

    expect((await run(['vacation', ...base, 'disable'])).code).toBe(0);
    expect(JSON.parse((await run(['vacation', ...base, 'show', '--json'])).out)).toMatchObject({
      enabled: false,
    });
    expect(JSON.parse((await run(['forward', ...base, 'show', '--json'])).out)).toMatchObject({
      enabled: true,
    });
  });

  it("keeps the rest of the user's active script byte for byte", async () => {
    await fx.store.put('bob', 'filters', Buffer.from(USER_SCRIPT));
    await fx.store.setActive('bob', 'filters');
    process.env.TAMIS_VACATION_PW = 'hunter2';
    const bob = base.map((a) => (a === 'alice' ? 'bob' : a));
    const r = await run(['vacation', ...bob, 'set', '--settings', path.join(dir, 'vacation.json')]);
    process.env.TAMIS_VACATION_PW = 'secret';
    expect(r).toMatchObject({ code: 0 });
    const after = (await fx.store.get('bob', 'filters'))!.toString('utf8');
    expect(after.startsWith('require ["fileinto"];\r\n')).toBe(true);
    expect(after.endsWith(USER_SCRIPT.slice(USER_SCRIPT.indexOf('# mine')))).toBe(true);
    expect((await fx.store.getActive('bob'))?.name).toBe('filters');
  });

  it('reads the password from standard input when no other source is given', async () => {
    const noEnv = base.slice(0, base.indexOf('--password-env'));
    const r = await run(['forward', ...noEnv, 'show', '--json'], 'secret\n');
    expect(r).toMatchObject({ code: 0 });
    expect(JSON.parse(r.out)).toMatchObject({ enabled: true, keepCopy: true });
  });

  it('fails cleanly with a wrong password', async () => {
    process.env.TAMIS_VACATION_PW = 'wrong';
    const r = await run(['vacation', ...base, 'show']);
    process.env.TAMIS_VACATION_PW = 'secret';
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/AUTHENTICATE failed/);
  });
});
