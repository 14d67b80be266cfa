import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/index.js';

const SCRIPT = 'require "fileinto";\nif header :contains "subject" "x" { fileinto "X"; }\n';
const INCLUDING = 'require "include";\ninclude :personal "lists";\n';

describe('compileAsync keeps scripts compiled, as delivery needs', () => {
  it('compiles a script once for many deliveries, and again when its text changes', async () => {
    const engine = new SieveEngine();
    const first = await engine.compileAsync(SCRIPT);
    expect(first.program).not.toBeNull();
    expect(await engine.compileAsync(SCRIPT)).toBe(first);
    const edited = await engine.compileAsync(SCRIPT.replace('"X"', '"Y"'));
    expect(edited).not.toBe(first);
    expect(edited.program).not.toBeNull();
  });

  it('re-reads included scripts on a hit and compiles again when one changed or vanished', async () => {
    const engine = new SieveEngine();
    const files = new Map([['lists', 'require "fileinto";\nfileinto "Lists";\n']]);
    let reads = 0;
    const loadScript = async (name: string) => {
      reads++;
      return files.get(name) ?? null;
    };
    const a = await engine.compileAsync(INCLUDING, { loadScript });
    expect(a.errors).toEqual([]);
    const readsAfterCompile = reads;
    expect(await engine.compileAsync(INCLUDING, { loadScript })).toBe(a);
    expect(reads).toBe(readsAfterCompile + 1);
    files.set('lists', 'require "fileinto";\nfileinto "Other";\n');
    const b = await engine.compileAsync(INCLUDING, { loadScript });
    expect(b).not.toBe(a);
    expect(b.errors).toEqual([]);
    expect(await engine.compileAsync(INCLUDING, { loadScript })).toBe(b);
    files.delete('lists');
    const c = await engine.compileAsync(INCLUDING, { loadScript });
    expect(c.program).toBeNull();
    expect(c.errors.length).toBeGreaterThan(0);
  });

  it('keeps the context apart and never caches upload checks', async () => {
    const engine = new SieveEngine();
    const delivery = await engine.compileAsync(SCRIPT);
    expect(await engine.compileAsync(SCRIPT, { context: 'delivery' })).toBe(delivery);
    const upload = await engine.compileAsync(SCRIPT, { upload: true });
    expect(upload).not.toBe(delivery);
    expect(await engine.compileAsync(SCRIPT, { upload: true })).not.toBe(upload);
  });
});
