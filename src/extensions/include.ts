/**
 * RFC 6609: `include` runs another script (personal or global) in place, `return` ends the current
 * one, and `global` shares variables between them (also reachable as `${global.name}`).
 *
 * Included scripts are loaded and compiled when the including script is compiled, so a missing
 * script, a circular include or a limit is a compile error; a script included several times is
 * compiled once. Each script run has its own local variables; globals live in one store.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Program } from '../compiler/program.js';
import type { CompileContext, Extension } from './types.js';
import type { Runtime } from '../runtime/runtime.js';
import { runCommands, Unwind } from '../runtime/interpreter.js';
import { DECLARED_STATE, onNamespaceAssign, registerVariableNamespace } from './variables.js';
import { number, object } from '../settings/schema.js';
import { stateKey } from '../compiler/state.js';
import { defineCommand } from './define.js';

/** What `return` gives back; the include that ran the script consumes it, at top level it acts as stop. */
const RETURN = new Unwind();

type Location = 'personal' | 'global';

/** Compile state shared by a script and everything it includes (handed down through compileScript). */
const SCRIPTS_STATE = stateKey<Map<string, Program | null>>('include.scripts');
/** Compile state: keys of the scripts being compiled, outermost first (the main script has none). */
const CHAIN_STATE = stateKey<string[]>('include.chain');
/** Compile state: names this script declared global. */
const GLOBALS_STATE = stateKey<Set<string>>('include.globals');
/** Run state. */
const RUN_STATE = stateKey<RunState>('include.run');

interface RunState {
  /** Scripts included so far (for :once). */
  included: Set<string>;
  /** Global names per running script, innermost last. */
  scopes: Array<Set<string>>;
  /** Values of global variables not held by the running script's own map. */
  store: Map<string, string>;
  /** Capabilities whose per-run state is set up. */
  initialized: Set<string>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** RFC 5804 §1.6 script names: no control characters, no line or paragraph separators; no "/" either. */
export function checkScriptName(name: string): string | null {
  if (name === '') return 'script name is empty';
  if (name.includes('/')) return `invalid script name "${name}" (no "/" allowed)`;
  if (/[\x00-\x1f\x7f-\x9f\u2028\u2029\uFFFD]/.test(name)) return `invalid script name "${printable(name)}"`;
  if (name.length > 255) return 'script name is too long';
  return null;
}

function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, '?');
}

/** "name.sieve" names the same script as "name". */
function scriptName(name: string): string {
  return name.toLowerCase().endsWith('.sieve') ? name.slice(0, -6) : name;
}

function runState(rt: Runtime): RunState {
  return rt.state.obtain(RUN_STATE, () => ({
    included: new Set(),
    scopes: [new Set()],
    store: new Map(),
    initialized: new Set(),
  }));
}

function describe(d: Diagnostic): string {
  return `${d.line}:${d.column}: ${d.message}`;
}

interface IncludeData {
  key: string;
  name: string;
  once: boolean;
  /** Compiled scripts by key, shared by the whole compile (filled later for a :once cycle). */
  scripts: Map<string, Program | null>;
  /** Capabilities the including script set up already. */
  parentCaps: string[];
  extension: CompileContext['extension'];
}

const include = defineCommand<IncludeData | null>({
  name: 'include',
  tags: [
    { name: 'personal', group: 'location' },
    { name: 'global', group: 'location' },
    { name: 'once' },
    { name: 'optional' },
  ],
  positional: ['string'],
  compile(args, cx) {
    const arg = args.positional[0]!;
    const value = cx.string(arg);
    if (typeof value !== 'string') {
      cx.error(arg.pos, 'include script name must be a constant string');
      return null;
    }
    const problem = checkScriptName(value);
    if (problem) {
      cx.error(arg.pos, `include: ${problem}`);
      return null;
    }
    const location: Location = args.tags.has('global') ? 'global' : 'personal';
    const name = scriptName(value);
    const key = `${location}:${name}`;
    const once = args.tags.has('once');
    const chain = cx.state.obtain(CHAIN_STATE, () => []);
    const scripts = cx.state.obtain(SCRIPTS_STATE, () => new Map());
    const data: IncludeData = {
      key,
      name,
      once,
      scripts,
      parentCaps: [...cx.capabilities],
      extension: cx.extension,
    };
    if (chain.includes(key)) {
      // Only :once ends such a loop at run time.
      if (once) return data;
      cx.error(arg.pos, `circular include of ${location} script "${name}"`);
      return null;
    }
    if (chain.length + 1 > cx.config.include.maxIncludeDepth) {
      cx.error(
        arg.pos,
        `include of "${name}" nested too deeply (limit ${cx.config.include.maxIncludeDepth})`,
      );
      return null;
    }
    if (scripts.has(key)) return data;
    if (scripts.size + 1 > cx.config.include.maxIncludes) {
      cx.error(arg.pos, `too many included scripts (limit ${cx.config.include.maxIncludes})`);
      return null;
    }
    const source = cx.loadScript ? cx.loadScript(name, location) : null;
    if (source === null) {
      if (args.tags.has('optional')) return data;
      cx.error(arg.pos, `included ${location} script "${name}" does not exist`);
      return null;
    }
    const seed = new Map<string, unknown>([
      [SCRIPTS_STATE, scripts],
      [CHAIN_STATE, [...chain, key]],
    ]);
    const compiled = cx.compileScript(source, seed);
    for (const d of compiled.diagnostics) {
      const text = `in included script "${name}": ${describe(d)}`;
      if (d.severity === 'error') cx.error(arg.pos, text);
      else cx.warning(arg.pos, text);
    }
    if (!compiled.program) {
      cx.error(arg.pos, `failed to compile included ${location} script "${name}"`);
      return null;
    }
    scripts.set(key, compiled.program);
    return data;
  },
  run(d, rt) {
    if (!d) return;
    const program = d.scripts.get(d.key);
    const st = runState(rt);
    // A missing :optional script, or one :once has run already.
    const ran = !!program && !(d.once && st.included.has(d.key));
    rt.trace?.({
      kind: 'include',
      script: d.name,
      location: d.key.startsWith('global:') ? 'global' : 'personal',
      ran,
    });
    if (!program || !ran) return;
    st.included.add(d.key);
    for (const cap of d.parentCaps) st.initialized.add(cap);
    const scope = st.scopes[st.scopes.length - 1]!;
    for (const name of scope) st.store.set(name, rt.variables.get(name) ?? '');
    const saved = new Map(rt.variables);
    const savedCapture = rt.captureMatches;
    rt.variables.clear();
    st.scopes.push(new Set());
    rt.captureMatches = program.capabilities.has('variables');
    for (const cap of program.capabilities) {
      if (st.initialized.has(cap)) continue;
      st.initialized.add(cap);
      d.extension(cap)?.onRun?.(rt);
    }
    let unwind: Unwind | null;
    // The included script's steps show one level deeper in a trace.
    if (rt.trace !== undefined) rt.traceDepth++;
    try {
      unwind = runCommands(program.commands, rt);
    } finally {
      if (rt.trace !== undefined) rt.traceDepth--;
      const inner = st.scopes.pop()!;
      for (const name of inner) st.store.set(name, rt.variables.get(name) ?? '');
      rt.variables.clear();
      for (const [k, v] of saved) rt.variables.set(k, v);
      for (const name of scope) rt.variables.set(name, st.store.get(name) ?? '');
      rt.captureMatches = savedCapture;
    }
    // `stop` ends the whole run; `return` only the included script.
    return unwind === RETURN ? undefined : (unwind ?? undefined);
  },
});

const returnCommand = defineCommand<null>({
  name: 'return',
  compile: () => null,
  run(_d, rt) {
    rt.trace?.({ kind: 'return' });
    return RETURN;
  },
});

const globalCommand = defineCommand<string[]>({
  name: 'global',
  positional: ['stringlist'],
  compile(args, cx) {
    const arg = args.positional[0]!;
    if (!cx.has('variables')) {
      cx.error(cx.node.pos, 'global command used without require "variables"');
      return [];
    }
    const items = arg.type === 'stringlist' ? arg.items : arg.type === 'string' ? [arg] : [];
    const globals = cx.state.obtain(GLOBALS_STATE, () => new Set());
    const declared = cx.state.get(DECLARED_STATE);
    const names: string[] = [];
    for (const item of items) {
      const name = item.value;
      if (!IDENT.test(name)) {
        cx.error(item.pos, `invalid global variable name "${name}"`);
        continue;
      }
      const lower = name.toLowerCase();
      if (!globals.has(lower) && declared?.has(lower)) {
        cx.error(item.pos, `variable "${name}" is used as a local variable before it is declared global`);
        continue;
      }
      globals.add(lower);
      names.push(lower);
    }
    return names;
  },
  run(names, rt) {
    const st = runState(rt);
    const scope = st.scopes[st.scopes.length - 1]!;
    for (const name of names) {
      if (scope.has(name)) continue;
      scope.add(name);
      rt.variables.set(name, st.store.get(name) ?? '');
    }
  },
});

/** RFC 6609: include, return, global and the `global` variable namespace. */
export const includeExtension: Extension = {
  name: 'include',
  commands: [include, returnCommand, globalCommand],
  onRequire(cx) {
    registerVariableNamespace(cx, 'global', { assignable: true });
  },
  onRun(rt) {
    const st = runState(rt);
    const current = (name: string) => st.scopes[st.scopes.length - 1]!.has(name);
    rt.namespaces.set('global', (name) => {
      const n = name.toLowerCase();
      return (current(n) ? rt.variables.get(n) : st.store.get(n)) ?? '';
    });
    onNamespaceAssign(rt, 'global', (name, value) => {
      const n = name.toLowerCase();
      st.store.set(n, value);
      if (current(n)) rt.variables.set(n, value);
    });
  },
};

/** RFC 6609 include: how many scripts one compile may pull in, and how deep. */
export const includeSettings = object(
  {
    maxIncludes: number({
      integer: true,
      min: 0,
      default: 255,
      doc: 'Distinct scripts included per compile, nested ones counted.',
    }),
    maxIncludeDepth: number({ integer: true, min: 0, default: 10, doc: 'Nesting depth of include.' }),
  },
  { doc: 'RFC 6609 include limits.' },
);
