import { describe, expect, it } from 'vitest';
import { compileAst, compileSource } from '../../src/compiler/compiler.js';
import { TagList } from '../../src/compiler/tag-list.js';
import { parse } from '../../src/syntax/index.js';
import { SieveEngine } from '../../src/engine.js';
import { generateLargeScript } from '../bench/generate.js';
import type { ActionCommandDef, Extension, TagValue } from '../../src/extensions/types.js';

/** Compiles through parse + compileAst, the way that reads the whole script first. */
function whole(engine: SieveEngine, source: string) {
  const options = { registry: engine.registry, config: engine.config };
  const parsed = parse(source, { maxNesting: engine.config.maxNesting });
  return {
    syntax: parsed.diagnostics,
    compiled: parsed.diagnostics.length ? null : compileAst(parsed.ast, options),
  };
}

function streamed(engine: SieveEngine, source: string) {
  return compileSource(source, { registry: engine.registry, config: engine.config });
}

/** What a compile produced, as comparable data (matchers are functions). */
function shape(r: ReturnType<typeof whole>) {
  return JSON.stringify(r, (_k, v: unknown) =>
    typeof v === 'function' ? 'fn' : v instanceof Set ? [...v] : v instanceof Map ? [...v] : v,
  );
}

const scripts = [
  generateLargeScript(120),
  'require "fileinto";\nif header :contains "subject" "x" { fileinto "a"; } elsif true { keep; } else { discard; }',
  'require "fileinto";\nfileinto :bogus "x";\nif header :is 45 "x" {}\nelse { stop; }',
  'keep;\nelse { keep; }\nrequire "fileinto";',
  'if true { keep; }\nif header :is "a" "b" { keep; ',
  'keep;\nfileinto "x"\nkeep;',
  'require "fileinto";\nfileinto "ok";\n$$$\nfileinto "later";',
];

describe('compileSource (each top-level command compiled as soon as it is read)', () => {
  const engine = new SieveEngine();

  it('gives what parsing the whole script and then compiling it gives', () => {
    for (const s of scripts) expect(shape(streamed(engine, s))).toBe(shape(whole(engine, s)));
  });

  it('compiles nothing of a script with syntax errors, wherever they are', () => {
    const r = streamed(engine, 'require "fileinto";\nfileinto :bogus "x";\nkeep;\nif true {');
    expect(r.compiled).toBeNull();
    expect(r.syntax.map((d) => d.message)).toEqual(["missing '}' to close the block of if command"]);
  });

  it('throws what a compile step throws, unless the script has syntax errors', () => {
    const boom: ActionCommandDef = {
      name: 'boom',
      compile: () => {
        throw new Error('compile step failed');
      },
      run: () => {},
    };
    const ext: Extension = { name: 'vnd.test.boom', commands: [boom] };
    const e = new SieveEngine({ extensions: [ext] });
    const head = 'require "vnd.test.boom";\nboom;\nkeep;\n';
    expect(() => streamed(e, head)).toThrow('compile step failed');
    expect(streamed(e, `${head}if true {`).compiled).toBeNull();
  });

  it('lets a compile step parse and compile another script while the first is being read', () => {
    const inner: ActionCommandDef<string> = {
      name: 'inner',
      compile: (_args, cx) => {
        const r = cx.compileScript('if header :is "x" "y" { keep; }');
        return r.program ? 'compiled' : r.diagnostics.map((d) => d.message).join();
      },
      run: () => {},
    };
    const ext: Extension = { name: 'vnd.test.inner', commands: [inner] };
    const e = new SieveEngine({ extensions: [ext] });
    const source = 'require ["vnd.test.inner", "fileinto"];\ninner;\nfileinto "after";\ninner;';
    const r = streamed(e, source);
    expect(r.syntax).toEqual([]);
    expect(shape(r)).toBe(shape(whole(e, source)));
    const data = r.compiled!.program.commands.map((c) => (c.kind === 'action' ? c.data : null));
    expect(data[0]).toBe('compiled');
    expect(data[2]).toBe('compiled');
  });

  it('loads no included script for a script with syntax errors', () => {
    const loads: string[] = [];
    const e = new SieveEngine({
      host: {
        loadScript: (name) => {
          loads.push(name);
          return 'keep;';
        },
      },
    });
    expect(e.compile('require "include";\ninclude "a";\nkeep').errors).toHaveLength(1);
    expect(loads).toEqual([]);
    expect(e.compile('require "include";\ninclude "a";\nkeep;').errors).toEqual([]);
    expect(loads).toEqual(['a']);
  });
});

describe('TagList', () => {
  const at = (n: number): TagValue => ({ pos: { line: 1, column: n, offset: n - 1 } });

  it('reads like a Map of the tags in the order written', () => {
    const a = at(3);
    const b = at(9);
    const tags = new TagList(['over', a, 'comparator', b]);
    expect(tags.size).toBe(2);
    expect(tags.has('over')).toBe(true);
    expect(tags.has('under')).toBe(false);
    expect(tags.get('comparator')).toBe(b);
    expect(tags.get('under')).toBeUndefined();
    expect([...tags.keys()]).toEqual(['over', 'comparator']);
    expect([...tags.values()]).toEqual([a, b]);
    expect([...tags]).toEqual([
      ['over', a],
      ['comparator', b],
    ]);
    const seen: string[] = [];
    tags.forEach((_v, k) => seen.push(k));
    expect(seen).toEqual(['over', 'comparator']);
    expect(new TagList([]).size).toBe(0);
  });
});
