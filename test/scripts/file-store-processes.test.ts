import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileScriptStore, ScriptStoreError } from '../../src/scripts/index.js';

/** The error code of a store call that failed, or 'ok'. */
async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (e) {
    if (e instanceof ScriptStoreError) return e.code;
    throw e;
  }
}

// Two stores on one folder stand for two server processes: each only serialises its own changes.
describe('FileScriptStore: two processes on one folder', () => {
  let dir: string;
  let a: FileScriptStore;
  let b: FileScriptStore;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tamis-store2-'));
    a = new FileScriptStore({ root: dir });
    b = new FileScriptStore({ root: dir });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives one delete success and the other NONEXISTENT', async () => {
    for (let i = 0; i < 50; i++) {
      await a.put('alice', 's', Buffer.from('keep;'));
      const results = await Promise.all([outcome(a.delete('alice', 's')), outcome(b.delete('alice', 's'))]);
      expect(results.sort()).toEqual(['NONEXISTENT', 'ok']);
      expect(await a.list('alice')).toEqual([]);
    }
  });

  it('lets exactly one of two renames of one script win, leaving one copy', async () => {
    for (let i = 0; i < 50; i++) {
      await a.put('alice', 's', Buffer.from(`# ${i}\nkeep;`));
      const results = await Promise.all([
        outcome(a.rename('alice', 's', 'x')),
        outcome(b.rename('alice', 's', 'y')),
      ]);
      expect([...results].sort()).toEqual(['NONEXISTENT', 'ok']);
      const names = (await a.list('alice')).map((s) => s.name);
      expect(names).toEqual([results[0] === 'ok' ? 'x' : 'y']);
      expect((await a.get('alice', names[0]!))?.toString()).toBe(`# ${i}\nkeep;`);
      await a.delete('alice', names[0]!);
    }
  });

  it('keeps the active script reachable when two renames of it race', async () => {
    for (let i = 0; i < 50; i++) {
      await a.put('alice', 's', Buffer.from('keep;'));
      await a.setActive('alice', 's');
      const results = await Promise.all([
        outcome(a.rename('alice', 's', 'x')),
        outcome(b.rename('alice', 's', 'y')),
      ]);
      expect([...results].sort()).toEqual(['NONEXISTENT', 'ok']);
      const active = await a.getActive('alice');
      expect(active?.content.toString()).toBe('keep;');
      expect((await a.list('alice')).find((s) => s.active)?.name).toBe(active!.name);
      await a.setActive('alice', null);
      for (const s of await a.list('alice')) await a.delete('alice', s.name);
    }
  });

  it('answers NONEXISTENT to a rename racing a delete that wins', async () => {
    for (let i = 0; i < 50; i++) {
      await a.put('alice', 's', Buffer.from('keep;'));
      const [renamed, deleted] = await Promise.all([
        outcome(a.rename('alice', 's', 'x')),
        outcome(b.delete('alice', 's')),
      ]);
      expect([renamed, deleted].sort()).toEqual(['NONEXISTENT', 'ok']);
      const names = (await a.list('alice')).map((s) => s.name);
      expect(names).toEqual(renamed === 'ok' ? ['x'] : []);
      for (const n of names) await a.delete('alice', n);
    }
  });
});
