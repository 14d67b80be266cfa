import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const built = existsSync(join(ROOT, 'dist/index.cjs'));

/** Loads a built entry point in a fresh Node and lists the built-in and package modules it pulled in. */
function loaded(entry: string, format: 'cjs' | 'esm'): { builtins: string[]; packages: string[] } {
  const file = join(ROOT, `dist/${entry}.${format === 'cjs' ? 'cjs' : 'js'}`);
  const load =
    format === 'cjs' ? `require(${JSON.stringify(file)})` : `await import(${JSON.stringify(file)})`;
  const script = `${load};
    const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    const packages = Object.keys(require('module')._cache ?? {}).filter((k) => k.includes('node_modules'));
    console.log(JSON.stringify({ builtins, packages }));`;
  const out = execFileSync(
    process.execPath,
    format === 'cjs'
      ? ['-e', script]
      : [
          '--input-type=module',
          '-e',
          `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${script}`,
        ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as { builtins: string[]; packages: string[] };
}

describe.skipIf(!built)('package entry points', () => {
  for (const format of ['cjs', 'esm'] as const) {
    it(`tamis (${format}) is the engine alone: no TLS, hashing or certificate library`, () => {
      const { builtins, packages } = loaded('index', format);
      expect(builtins).not.toContain('tls');
      expect(builtins).not.toContain('_tls_wrap');
      expect(packages.filter((p) => /selfsigned|bcryptjs|hash-wasm|node-forge|pkijs/.test(p))).toEqual([]);
    });
  }

  it('tamis/autoresponder is as light as the engine: no TLS, network or file system', () => {
    const { builtins, packages } = loaded('autoresponder', 'cjs');
    expect(builtins).not.toContain('tls');
    expect(builtins).not.toContain('net');
    expect(packages.filter((p) => /selfsigned|bcryptjs|hash-wasm|smtp-server|nodemailer/.test(p))).toEqual(
      [],
    );
  });

  it('tamis/managesieve brings the server, and with it TLS', () => {
    expect(loaded('managesieve', 'cjs').builtins).toContain('tls');
  });
});
