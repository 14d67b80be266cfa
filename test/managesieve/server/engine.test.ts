import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SieveEngine, type CompileResult } from '../../../src/index.js';
import { createManageSieveServer } from '../../../src/managesieve/index.js';
import { compileForUpload } from '../../../src/managesieve/server/commands/upload.js';
import { createIncludeLoader } from '../../../src/scripts/index.js';
import { b64, lit, RawClient, type Reply } from './raw-client.js';
import { startFixture, type Fixture } from './fixture.js';

const PLAIN_IR = `AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`;
const caps = (r: Reply): Map<string, string> =>
  new Map(
    r.lines.map((l) => {
      const m = /^"([^"]+)"(?: "(.*)")?$/.exec(l.text)!;
      return [m[1]!, m[2] ?? ''];
    }),
  );

async function login(port: number): Promise<{ c: RawClient; greeting: Reply; loggedIn: Reply }> {
  const c = await RawClient.connect(port);
  const greeting = await c.readReply();
  const loggedIn = await c.cmd(PLAIN_IR);
  expect(loggedIn.result.kind).toBe('OK');
  return { c, greeting, loggedIn };
}

const put = (c: RawClient, name: string, script: string): Promise<Reply> =>
  c.cmd(Buffer.concat([Buffer.from(`PUTSCRIPT "${name}" `), lit(script), Buffer.from('\r\n')]));

const hasCompileAsync =
  typeof (SieveEngine.prototype as { compileAsync?: unknown }).compileAsync === 'function';

describe('ManageSieve server: the configured engine', () => {
  let fx: Fixture;
  afterEach(async () => {
    await fx.stop();
  });

  it('advertises and enforces the engine: disabled extensions, MAXREDIRECTS', async () => {
    const engine = new SieveEngine({ config: { disabled: ['vacation'], maxRedirects: 7 } });
    fx = await startFixture({ server: { engine } });
    const { c, greeting } = await login(fx.port);
    const sieve = caps(greeting).get('SIEVE')!.split(' ');
    expect(sieve).toContain('fileinto');
    expect(sieve).not.toContain('vacation');
    const after = await c.cmd('CAPABILITY\r\n');
    expect(caps(after).get('MAXREDIRECTS')).toBe('7');
    const r = await put(c, 'v', 'require "vacation";\nvacation "away";\n');
    expect(r.result.kind).toBe('NO');
    expect(r.result.message).toMatch(/vacation/);
    expect(await fx.store.get('alice', 'v')).toBeNull();
    expect((await put(c, 'f', 'require "fileinto";\nfileinto "x";\n')).result.kind).toBe('OK');
    c.close();
  });

  it("takes the script size limit from the engine's maxScriptSize (QUOTA/MAXSIZE)", async () => {
    const engine = new SieveEngine({ config: { maxScriptSize: 100 } });
    fx = await startFixture({ server: { engine } });
    const { c } = await login(fx.port);
    let r = await c.cmd('HAVESPACE "big" 101\r\n');
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA/MAXSIZE']);
    expect(r.result.message).toContain('100 bytes');
    expect((await c.cmd('HAVESPACE "big" 100\r\n')).result.kind).toBe('OK');
    // Refused on the announced literal size, and as a quoted string too.
    r = await put(c, 'big', `#${'x'.repeat(100)}\nkeep;`);
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA/MAXSIZE']);
    r = await c.cmd(`PUTSCRIPT "big" "#${'x'.repeat(100)}"\r\n`);
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'QUOTA/MAXSIZE']);
    expect(await fx.store.get('alice', 'big')).toBeNull();
    expect((await c.cmd('NOOP "alive"\r\n')).result.codeArg).toBe('alive');
    c.close();
  });

  it('derives the default engine from the deprecated maxRedirects and refuses a contradiction', async () => {
    fx = await startFixture({ server: { maxRedirects: 2 } });
    const { c } = await login(fx.port);
    expect(caps(await c.cmd('CAPABILITY\r\n')).get('MAXREDIRECTS')).toBe('2');
    c.close();
    expect(() =>
      createManageSieveServer({
        directory: {
          supportsScram: false,
          exists: async () => false,
          verifyPassword: async () => false,
          scramSha256: async () => null,
        },
        store: fx.store,
        engine: new SieveEngine(),
        maxRedirects: 9,
      }),
    ).toThrow(/maxRedirects/);
  });

  it.skipIf(!hasCompileAsync)(
    'accepts include :personal of an existing script, and of a missing one with a warning',
    async () => {
      const global = await mkdtemp(path.join(tmpdir(), 'tamis-global-'));
      await writeFile(path.join(global, 'common.sieve'), 'keep;\n');
      fx = await startFixture({ server: { globalScriptsDir: global } });
      const { c } = await login(fx.port);
      expect((await put(c, 'x', 'keep;\n')).result.kind).toBe('OK');
      const r = await put(
        c,
        'main',
        'require "include";\ninclude :personal "x";\ninclude :global "common";\n',
      );
      expect(r.result.kind).toBe('OK');
      expect(r.result.code).toBeNull();
      expect(await fx.store.get('alice', 'main')).not.toBeNull();
      const missing = await c.cmd(
        Buffer.concat([
          Buffer.from('CHECKSCRIPT '),
          lit('require "include";\ninclude :personal "nothere";\n'),
          Buffer.from('\r\n'),
        ]),
      );
      expect([missing.result.kind, missing.result.code]).toEqual(['OK', 'WARNINGS']);
      c.close();
      await rm(global, { recursive: true, force: true });
    },
  );
});

describe('upload compile adapter', () => {
  let fx: Fixture;
  afterEach(async () => {
    await fx.stop();
  });

  it("passes a loader over the user's scripts and the global folder to compileAsync, in upload mode", async () => {
    fx = await startFixture();
    const global = path.join(fx.dir, 'global');
    await mkdir(global);
    await writeFile(path.join(global, 'g.sieve'), 'discard;\n');
    await fx.store.put('alice', 'mine', Buffer.from('keep;\n'));
    const seen: unknown[] = [];
    const base = new SieveEngine();
    const engine = Object.assign(base, {
      async compileAsync(
        source: string,
        options: {
          loadScript?: (n: string, l: 'personal' | 'global') => Promise<string | null> | string | null;
          upload?: boolean;
        },
      ): Promise<CompileResult> {
        for (const [name, loc] of [
          ['mine', 'personal'],
          ['g', 'global'],
          ['g', 'personal'],
          ['mine', 'global'],
          ['../users', 'global'],
        ] as const)
          seen.push(await options.loadScript!(name, loc));
        seen.push(options.upload);
        return base.compile(source);
      },
    });
    const loader = createIncludeLoader({ store: fx.store, user: 'alice', globalDir: global });
    const result = await compileForUpload(engine, 'keep;', loader);
    expect(result.errors).toEqual([]);
    expect(seen).toEqual(['keep;\n', 'discard;\n', null, null, null, true]);
  });

  it('falls back to the synchronous compile without compileAsync', async () => {
    fx = await startFixture();
    const engine = new SieveEngine();
    const plain = Object.assign(Object.create(engine) as SieveEngine, { compileAsync: undefined });
    const loader = createIncludeLoader({ store: fx.store, user: 'alice' });
    expect((await compileForUpload(plain, 'keep;', loader)).program).not.toBeNull();
    expect((await compileForUpload(plain, 'if foo {', loader)).errors.length).toBeGreaterThan(0);
    // Without a global folder there are no global scripts.
    expect(await loader('x', 'global')).toBeNull();
  });
});
