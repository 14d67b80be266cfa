import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileScriptStore, ScriptStoreError } from '../../src/scripts/index.js';

describe('FileScriptStore', () => {
  let dir: string;
  let store: FileScriptStore;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tamis-store-'));
    store = new FileScriptStore({ root: dir, quota: { maxScripts: 50 } });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps concurrent writers of one user consistent and never shows a half-written active script', async () => {
    const big = (c: string) => Buffer.alloc(200_000, c);
    await store.put('alice', 'main', big('a'));
    await store.setActive('alice', 'main');
    const writers = Array.from({ length: 20 }, (_, i) =>
      store.put('alice', 'main', big(String.fromCharCode(98 + (i % 20)))),
    );
    const readers = Array.from({ length: 50 }, async () => {
      const active = await store.getActive('alice');
      expect(active!.content.length).toBe(200_000);
      expect(new Set(active!.content).size).toBe(1); // one writer's bytes only
    });
    const others = Array.from({ length: 30 }, (_, i) => store.put('alice', `s${i}`, Buffer.from('keep;')));
    await Promise.all([...writers, ...readers, ...others]);
    expect((await store.list('alice')).length).toBe(31);
    expect(await readdir(path.join(dir, 'alice', 'sieve', 'tmp'))).toEqual([]);
  });

  it('enforces the script count under concurrent creation', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 80 }, (_, i) => store.put('bob', `n${i}`, Buffer.from('keep;'))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ScriptStoreError);
    expect((refused.reason as ScriptStoreError).code).toBe('QUOTA/MAXSCRIPTS');
  });

  it('does not follow links planted in the scripts folder or an active link pointing elsewhere', async () => {
    const home = path.join(dir, 'carol');
    await mkdir(path.join(home, 'sieve'), { recursive: true });
    await writeFile(path.join(dir, 'secret'), 'top secret');
    await symlink(path.join(dir, 'secret'), path.join(home, 'sieve', 'evil.sieve'));
    await symlink('../secret', path.join(home, '.dovecot.sieve'));
    expect(await store.get('carol', 'evil')).toBeNull();
    expect((await store.list('carol')).map((s) => s.name)).toEqual([]);
    expect(await store.getActive('carol')).toBeNull();
  });

  it('adopts a plain-file .dovecot.sieve as a script instead of losing it', async () => {
    const home = path.join(dir, 'dave');
    await mkdir(home, { recursive: true });
    await writeFile(path.join(home, '.dovecot.sieve'), 'discard;');
    expect(await store.getActive('dave')).toEqual({ name: 'dovecot.orig', content: Buffer.from('discard;') });
    await store.put('dave', 'new', Buffer.from('keep;'));
    expect(await store.setActive('dave', 'new')).toBe('activated');
    expect(await store.get('dave', 'dovecot.orig')).toEqual(Buffer.from('discard;'));
    expect((await store.getActive('dave'))!.name).toBe('new');
  });

  it('reports NONEXISTENT, ACTIVE and ALREADYEXISTS', async () => {
    await store.put('erin', 'a', Buffer.from('keep;'));
    await store.put('erin', 'b', Buffer.from('keep;'));
    await store.setActive('erin', 'a');
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: ScriptStoreError) => e.code,
      );
    expect(await code(store.delete('erin', 'a'))).toBe('ACTIVE');
    expect(await code(store.delete('erin', 'zz'))).toBe('NONEXISTENT');
    expect(await code(store.rename('erin', 'a', 'b'))).toBe('ALREADYEXISTS');
    expect(await code(store.rename('erin', 'zz', 'c'))).toBe('NONEXISTENT');
    expect(await code(store.setActive('erin', 'zz'))).toBe('NONEXISTENT');
    expect(await code(store.put('erin', '../x', Buffer.from('')))).toBe('INVALIDNAME');
    expect(await store.setActive('erin', null)).toBe('deactivated');
    expect(await store.setActive('erin', null)).toBe('none-active');
  });
});
