import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/index.js';

describe('compileAsync', () => {
  const engine = new SieveEngine();

  it('loads includes through an async loader, recursively, each once', async () => {
    const scripts: Record<string, string> = {
      a: 'require "include";\ninclude :personal "b";\nkeep;',
      b: 'require "fileinto";\nfileinto "B";',
    };
    const asked: string[] = [];
    const r = await engine.compileAsync(
      'require "include";\ninclude :personal "a";\ninclude :personal "b";',
      {
        loadScript: (name, location) => {
          asked.push(`${location}:${name}`);
          return Promise.resolve(scripts[name] ?? null);
        },
      },
    );
    expect(r.errors).toEqual([]);
    expect(r.program).not.toBeNull();
    expect(asked.sort()).toEqual(['personal:a', 'personal:b']);
    const run = engine.run(r.program!, Buffer.from('Subject: x\r\n\r\n'), { from: '', to: 'u@x' });
    expect(run.actions.map((a) => a.type)).toEqual(['fileinto', 'keep']);
  });

  it('refuses a missing include, but only warns about it when checking an upload', async () => {
    const source = 'require "include";\ninclude :personal "x";\ninclude :global "g";';
    const plain = await engine.compileAsync(source, { loadScript: () => null });
    expect(plain.program).toBeNull();
    expect(plain.errors[0]!.message).toContain('included personal script "x" does not exist');
    const upload = await engine.compileAsync(source, { loadScript: async () => null, upload: true });
    expect(upload.errors).toEqual([]);
    expect(upload.warnings.map((w) => [w.code, w.message])).toEqual([
      ['include-missing', 'included personal script "x" does not exist (ignored during upload)'],
      ['include-missing', 'included global script "g" does not exist (ignored during upload)'],
    ]);
    // Without any loader (what PUTSCRIPT had) the upload check passes too.
    expect((await engine.compileAsync(source, { upload: true })).errors).toEqual([]);
    // An :optional include stays silent, and real errors in a script still count.
    const optional = await engine.compileAsync('require "include";\ninclude :optional "y";', {
      upload: true,
    });
    expect(optional.warnings).toEqual([]);
    const broken = await engine.compileAsync('require "include";\ninclude :personal "x";\nfrop;', {
      upload: true,
    });
    expect(broken.program).toBeNull();
  });
});

describe('the compile cache', () => {
  it('is bounded by bytes of source, and can be skipped', () => {
    const engine = new SieveEngine({ cacheBytes: 8 * 1024 * 1024 });
    // 200 different scripts of about 1 MB each (a comment and one action).
    for (let i = 0; i < 200; i++) {
      const r = engine.compile(`# ${String(i).padEnd(1000 * 1000, 'x')}\nkeep;\n`);
      expect(r.errors).toEqual([]);
      expect(engine.cacheSize).toBeLessThanOrEqual(8 * 1024 * 1024);
    }
    expect(engine.cacheSize).toBeGreaterThan(0);
    const small = new SieveEngine();
    const first = small.compile('keep;');
    expect(small.compile('keep;')).toBe(first);
    expect(small.compile('keep;', { cache: false })).not.toBe(first);
    const before = small.cacheSize;
    small.compile('discard;', { cache: false });
    expect(small.cacheSize).toBe(before);
  });
});
