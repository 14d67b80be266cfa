import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, stop } from '../helpers/cli-process.js';
import { b64, lit, RawClient, type Reply } from './raw-client.js';

const caps = (r: Reply): Map<string, string> =>
  new Map(
    r.lines.map((l) => {
      const m = /^"([^"]+)"(?: "(.*)")?$/.exec(l.text)!;
      return [m[1]!, m[2] ?? ''];
    }),
  );

const put = (c: RawClient, name: string, script: string): Promise<Reply> =>
  c.cmd(Buffer.concat([Buffer.from(`PUTSCRIPT "${name}" `), lit(script), Buffer.from('\r\n')]));

async function login(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.readReply();
  const r = await c.cmd(`AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`);
  expect(r.result.kind).toBe('OK');
  return c;
}

describe('tamis managesieve --config: the engine section checks uploads and is advertised', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tamis-config-'));
    await writeFile(path.join(dir, 'users'), 'alice:{PLAIN}secret\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies disabled extensions, maxRedirects, maxScriptSize and include limits to uploads and capabilities', async () => {
    const file = path.join(dir, 'tamis.json');
    await writeFile(
      file,
      JSON.stringify({
        engine: {
          disabled: ['vacation'],
          maxRedirects: 7,
          maxScriptSize: 300,
          include: { maxIncludes: 1 },
          extlists: { lists: { 'urn:ietf:params:sieve:addrbook:friends': ['bob@example.com'] } },
        },
        // Relative to the file's folder.
        managesieve: { dataDir: '.', usersFile: 'users', tls: { enabled: false }, listen: '127.0.0.1:0' },
      }),
    );
    const { child, port, log } = await startCli(['--config', file]);
    try {
      expect(log()).not.toMatch(/deprecated/);
      const c = await login(port);
      const after = caps(await c.cmd('CAPABILITY\r\n'));
      const sieve = after.get('SIEVE')!.split(' ');
      expect(sieve).toContain('fileinto');
      expect(sieve).toContain('extlists');
      expect(sieve).not.toContain('vacation');
      expect(after.get('MAXREDIRECTS')).toBe('7');

      const vacation = await put(c, 'v', 'require "vacation";\nvacation "away";\n');
      expect(vacation.result.kind).toBe('NO');
      expect(vacation.result.message).toMatch(/vacation/);
      // maxRedirects is counted when a script runs; include's limits when it is compiled.
      expect((await put(c, 'a', 'keep;\n')).result.kind).toBe('OK');
      expect((await put(c, 'b', 'keep;\n')).result.kind).toBe('OK');
      const include = (names: string[]) =>
        `require "include";\n${names.map((n) => `include :personal "${n}";\n`).join('')}`;
      expect((await put(c, 'one', include(['a']))).result.kind).toBe('OK');
      const two = await put(c, 'two', include(['a', 'b']));
      expect(two.result.kind).toBe('NO');
      expect(two.result.message).toMatch(/include/);
      const big = await c.cmd('HAVESPACE "big" 301\r\n');
      expect([big.result.kind, big.result.code]).toEqual(['NO', 'QUOTA/MAXSIZE']);
      const list = (name: string) =>
        `require ["extlists"];\nif address :list "from" ":addrbook:${name}" { keep; }\n`;
      // Whether a list exists is asked when the script runs (lists change); its name is checked now.
      expect((await put(c, 'l', list('friends'))).result.kind).toBe('OK');
      expect((await put(c, 'l', list('with space'))).result.kind).toBe('NO');
      c.close();
    } finally {
      await stop(child);
    }
  }, 60_000);

  it('still reads an old file with the server settings at the top level, with a warning', async () => {
    const file = path.join(dir, 'old.json');
    await writeFile(
      file,
      JSON.stringify({ dataDir: '.', usersFile: 'users', tls: { enabled: false }, maxRedirects: 3 }),
    );
    const { child, port, log } = await startCli(['--config', file, '--listen', '127.0.0.1:0']);
    try {
      expect(log()).toMatch(/managesieve settings at the top level are deprecated/);
      const c = await login(port);
      expect(caps(await c.cmd('CAPABILITY\r\n')).get('MAXREDIRECTS')).toBe('3');
      c.close();
    } finally {
      await stop(child);
    }
  }, 60_000);

  it('exits 64 with every problem of the file on standard error', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ engine: { maxRedirects: -1 }, managesieve: { maxRedirects: 2 } }));
    const err = await startCli(['--config', file]).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/^exited 64:/);
    expect(err).toContain('engine.maxRedirects: expected an integer >= 0, got -1');
    expect(err).toContain('managesieve.maxRedirects: moved to engine.maxRedirects');
  }, 30_000);
});
