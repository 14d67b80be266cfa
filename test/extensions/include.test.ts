import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';

const MSG = Buffer.from('Subject: Make money fast\r\n\r\nbody\r\n');
const ENV = { from: 'a@example.org', to: 'u@example.com' };

function engineWith(personal: Record<string, string>, global: Record<string, string> = {}, config = {}) {
  const loads: string[] = [];
  const engine = new SieveEngine({
    config,
    host: {
      loadScript: (name, location) => {
        loads.push(`${location}:${name}`);
        return (location === 'global' ? global : personal)[name] ?? null;
      },
    },
  });
  return { engine, loads };
}

function run(engine: SieveEngine, script: string) {
  return runScript(script, { engine, message: MSG, envelope: ENV });
}

describe('include', () => {
  it('runs personal and global scripts in place, return ends only the included one', () => {
    const { engine } = engineWith(
      { a: 'require ["fileinto", "include"]; fileinto "from-a"; return; fileinto "after-return";' },
      { a: 'require "fileinto"; fileinto "from-global";' },
    );
    const r = run(
      engine,
      'require ["include", "fileinto"];\ninclude "a";\ninclude :global "a";\nfileinto "main";',
    );
    expect(r.actions.map((a) => (a.type === 'fileinto' ? a.mailbox : a.type))).toEqual([
      'from-a',
      'from-global',
      'main',
    ]);
  });

  it('shares only global variables; locals stay in their script', () => {
    const { engine } = engineWith({
      sub: 'require ["include", "variables"]; global "g"; set "g" "${g}+sub"; set "local" "sub"; set "global.h" "H";',
    });
    const r = run(
      engine,
      'require ["include", "variables", "fileinto"];\nglobal "g";\nset "g" "main";\nset "local" "main";\n' +
        'include "sub";\nfileinto "${g}|${local}|${global.h}";',
    );
    expect(r.actions[0]).toMatchObject({ mailbox: 'main+sub|main|H' });
  });

  it('runs a script once with :once and compiles a repeated include once', () => {
    const { engine, loads } = engineWith({
      s: 'require ["include", "variables"]; global "n"; set "n" "${n}x";',
    });
    const r = run(
      engine,
      'require ["include", "variables", "fileinto"];\nglobal "n";\ninclude "s";\ninclude :once "s";\ninclude "s";\nfileinto "${n}";',
    );
    expect(r.actions[0]).toMatchObject({ mailbox: 'xx' });
    expect(loads).toEqual(['personal:s']);
  });

  it('ignores a missing :optional script and reports a missing required one', () => {
    const { engine } = engineWith({});
    expect(run(engine, 'require "include";\ninclude :optional "gone";').status).toBe('ok');
    const c = engine.compile('require "include";\ninclude "gone";');
    expect(c.errors[0]!.message).toContain('"gone" does not exist');
  });

  it('reports circular includes, depth and count limits, and errors inside included scripts', () => {
    const { engine } = engineWith(
      {
        loop: 'require "include"; include "loop.sieve";',
        d1: 'require "include"; include "d2";',
        d2: 'keep;',
        k1: 'keep;',
        k2: 'keep;',
        bad: 'frop;',
      },
      {},
      { include: { maxIncludeDepth: 1, maxIncludes: 2 } },
    );
    const msgs = (s: string) => engine.compile(`require "include";\n${s}`).errors.map((e) => e.message);
    expect(msgs('include "loop";')).toEqual([
      expect.stringContaining('circular include'),
      expect.stringContaining('failed to compile included personal script "loop"'),
    ]);
    expect(msgs('include "d1";').join('\n')).toContain('nested too deeply');
    expect(msgs('include "d2"; include "k1"; include "k2";').join('\n')).toContain(
      'too many included scripts',
    );
    expect(msgs('include "bad";')[0]).toContain('in included script "bad": 1:1: unknown command \'frop\'');
  });

  it('rejects hostile script names without asking the loader', () => {
    const { engine, loads } = engineWith({});
    const c = engine.compile(
      'require ["include", "encoded-character"];\ninclude "../etc/passwd";\ninclude "a${unicode:0}b";\ninclude "x${unicode:2028}";\ninclude "";',
    );
    expect(c.errors).toHaveLength(4);
    expect(loads).toEqual([]);
  });

  it('notices a changed included script although the including one is cached', () => {
    const scripts: Record<string, string> = { s: 'require "fileinto"; fileinto "one";' };
    const engine = new SieveEngine({ host: { loadScript: (n) => scripts[n] ?? null } });
    const main = 'require "include";\ninclude "s";';
    expect(run(engine, main).actions[0]).toMatchObject({ mailbox: 'one' });
    scripts.s = 'require "fileinto"; fileinto "two";';
    expect(run(engine, main).actions[0]).toMatchObject({ mailbox: 'two' });
  });

  it('needs variables for global and checks its names', () => {
    const { engine } = engineWith({});
    expect(engine.compile('require "include";\nglobal "x";').errors[0]!.message).toContain(
      'require "variables"',
    );
    const errs = engine
      .compile('require ["include", "variables"];\nset "v" "1";\nglobal "v";\nset "global.a.b" "x";')
      .errors.map((e) => e.message);
    expect(errs).toHaveLength(2);
    expect(errs[0]).toContain('before it is declared global');
  });
});
