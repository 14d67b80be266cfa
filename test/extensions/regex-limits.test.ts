import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { MAX_RUN_COMPILATIONS, compileRegex, estimateProgram } from '../../src/extensions/regex.js';

const ENVELOPE = { from: 'a@example.org', to: 'b@example.net' };
const MESSAGE = Buffer.from('Subject: aaa\r\n\r\nbody\r\n');
// A megabyte script may hold this; RE2 compiles it for seconds before its size check refuses it.
const HOSTILE = '(|a)'.repeat(250_000);

describe('regex size and shape, checked before compiling', () => {
  it('refuses a 1 MB constant pattern at compile time in milliseconds, with a coded error', () => {
    const engine = new SieveEngine();
    const started = performance.now();
    const c = engine.compile(`require "regex";\nif header :regex "subject" "${HOSTILE}" { discard; }`);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(c.program).toBeNull();
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toMatchObject({ code: 'bad-key', line: 2 });
    expect(c.errors[0]!.message).toMatch(
      /^invalid regular expression "\(\|a\)\(\|a\).{80,}\.\.\." for :regex: /,
    );
    expect(c.errors[0]!.message.length).toBeLessThan(300);
  });

  it('refuses patterns whose program would surely be too large, however short', () => {
    const engine = new SieveEngine();
    const error = (p: string) =>
      engine.compile(`require "regex";\nif header :regex "subject" "${p}" { discard; }`).errors[0]?.message;
    expect(error('(|a)'.repeat(12_000))).toMatch(/too large/);
    expect(error('((a{50}){50}){50}')).toMatch(/too large/);
    expect(error('[ab]{1000}'.repeat(30))).toMatch(/too large/);
    expect(error(`[${'x'.repeat(70_000)}]`)).toMatch(/too long/);
    // What real scripts use passes.
    expect(error('^(re|fwd?|aw): *\\\\[[a-z0-9-]+\\\\] (.*)$')).toBeUndefined();
    expect(error('(a|b){100}')).toBeUndefined();
  });

  it('estimates no more than RE2 makes, so no pattern it accepts is refused', () => {
    for (const p of [
      'a',
      '(a|b)*c',
      '[[:alpha:]]+@[^ ]+',
      'x{3,7}',
      '(ab){0}',
      '\\\\.(com|org)$',
      '((a)|(bc))?d',
      '(a|b|c|d|e|f)'.repeat(50),
      'a**+?'.repeat(100),
      '(abc|abd|abe){20}',
      '(|a)'.repeat(100),
    ]) {
      expect(estimateProgram(p, 1e9)).toBeLessThanOrEqual(compileRegex(p, false).programSize());
    }
  });

  it('fails the run for a hostile pattern built from variables, without compiling it', () => {
    const engine = new SieveEngine({ config: { maxVariableSize: 2_000_000 } });
    const program = engine.compile(
      `require ["regex", "variables"];\nset "p" "${HOSTILE}";\nif header :regex "subject" "\${p}" { discard; }`,
    ).program!;
    const started = performance.now();
    const r = engine.run(program, MESSAGE, ENVELOPE);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.status).toBe('error');
    expect(r.errors[0]!.message).toMatch(/too long|too large/);
    expect(r.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
  });

  it('caps the distinct patterns a run compiles, while repeated ones are cached', () => {
    const engine = new SieveEngine();
    const loop = (distinct: number) =>
      engine.compile(
        `require ["regex", "variables"];\nset "n" "";\n` +
          // Each test adds a character to the pattern, so every pattern is new.
          'set "n" "${n}a"; if header :regex "subject" "^${n}$" { keep; }\n'.repeat(distinct),
      ).program!;
    const ok = engine.run(loop(MAX_RUN_COMPILATIONS), MESSAGE, ENVELOPE);
    expect(ok.status).toBe('ok');
    const over = engine.run(loop(MAX_RUN_COMPILATIONS + 1), MESSAGE, ENVELOPE);
    expect(over.status).toBe('error');
    expect(over.errors[0]!.message).toBe(
      `more than ${MAX_RUN_COMPILATIONS} :regex keys built from variables in one run`,
    );
    const same = engine.compile(
      `require ["regex", "variables"];\nset "p" "a+";\n${'if header :regex "subject" "${p}" { keep; }\n'.repeat(1000)}`,
    ).program!;
    expect(engine.run(same, MESSAGE, ENVELOPE).status).toBe('ok');
  });

  it('captures only the groups a script can read, so a pattern with hundreds of groups stays cheap', () => {
    const engine = new SieveEngine({ config: { maxVariableSize: 10_000 } });
    // Shaped like Pigeonhole's CPU-limit script: optional alternatives, 301 groups.
    const block =
      '((A)|(AB)|(ABC)|(ABCD))?((B)|(BC)|(BCD)|(BCDA))?((C)|(CD)|(CDA)|(CDAB))?((D)|(DA)|(DAB)|(DABC))?';
    const program = engine.compile(
      `require ["regex", "variables", "fileinto"];\nset "v" "${'ABCDDCBA'.repeat(500)}";\n` +
        `if string :regex "\${v}" "^(${block.repeat(15)})+$" { set "m" "\${0}"; }\n` +
        `if string :is "\${m}" "\${v}" { fileinto "matched"; }`,
    ).program!;
    const started = performance.now();
    const r = engine.run(program, MESSAGE, ENVELOPE);
    // Tracking all 301 groups over 4,000 characters takes about 2 s of CPU; 32 of them about 0.1 s.
    expect(performance.now() - started).toBeLessThan(1500);
    expect(r.errors).toEqual([]);
    expect(r.actions).toMatchObject([{ type: 'fileinto', mailbox: 'matched' }]);
  });
});
