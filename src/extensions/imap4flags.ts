import type { Argument } from '../syntax/ast.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ActionCommandDef, CompileContext, CompiledKeys, Extension, MatchSpec } from './types.js';
import {
  FLAGS_STATE,
  flagList,
  isValidFlag,
  mergeFlags,
  splitFlags,
  storeFlags,
} from './support/imap4flags-state.js';
import { assignVariable, declareVariable, type VariableTarget } from './variables.js';
import { defineAttachment, defineTest } from './define.js';

/**
 * RFC 5232: setflag/addflag/removeflag on the internal flag variable or a named variable, the
 * hasflag test, and :flags on keep and fileinto. Flag lists are space-separated; invalid flags are
 * ignored and duplicates collapse case-insensitively, keeping the first spelling.
 */

type Operation = (current: string[], flags: string[]) => string[];

const OPERATIONS: Record<string, Operation> = {
  // A copy: `flags` may be a list shared between runs.
  setflag: (_current, flags) => flags.slice(),
  addflag: mergeFlags,
  removeflag(current, flags) {
    const gone = new Set(flags.map((f) => f.toLowerCase()));
    return current.filter((f) => !gone.has(f.toLowerCase()));
  },
};

interface FlagCommandData {
  /** Null for the internal variable. */
  target: VariableTarget | null;
  flags: SieveString[];
}

const IDENT_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The variable-name form needs the variables extension (RFC 5232 §3). */
function requireVariables(cx: CompileContext, arg: Argument, what: string): boolean {
  if (cx.has('variables')) return true;
  cx.error(arg.pos, `${what} takes a variable name only when "variables" is required`);
  return false;
}

/** Warns once about a constant flag that will be ignored. */
function warnInvalidFlags(cx: CompileContext, arg: Argument, flags: SieveString[], what: string): void {
  for (const s of flags) {
    if (typeof s !== 'string') continue;
    // Most flag strings hold one flag: no list to build for them.
    const bad = s.includes(' ')
      ? s.split(' ').find((f) => f !== '' && !isValidFlag(f))
      : s !== '' && !isValidFlag(s)
        ? s
        : undefined;
    if (bad !== undefined) {
      cx.warning(arg.pos, `invalid IMAP flag "${bad.slice(0, 64)}" given to ${what} is ignored`);
      return;
    }
  }
}

function readVariable(rt: Runtime, target: VariableTarget): string {
  if (target.kind === 'var') return rt.variables.get(target.name) ?? '';
  return rt.namespaces.get(target.namespace)?.(target.name) ?? '';
}

function flagCommand(name: keyof typeof OPERATIONS): ActionCommandDef<FlagCommandData | null> {
  const op = OPERATIONS[name]!;
  return {
    name,
    positional: ['stringlist', 'stringlist'],
    optionalPositional: 1,
    compile(args, cx) {
      const [first, second] = args.positional as [Argument, Argument | undefined];
      let target: VariableTarget | null = null;
      if (second) {
        if (first.type !== 'string') {
          cx.error(
            first.pos,
            `${name} expects a variable name (a string) before the flag list, not a string list`,
          );
          return null;
        }
        if (!requireVariables(cx, first, name)) return null;
        target = declareVariable(cx, first.pos, first.value, name);
        if (!target) return null;
      }
      const listArg = second ?? first;
      const flags = cx.stringList(listArg);
      warnInvalidFlags(cx, listArg, flags, name);
      return { target, flags };
    },
    run(d, rt) {
      if (!d) return;
      const flags = flagList(d.flags, rt);
      if (d.target === null) {
        const current = rt.state.get(FLAGS_STATE) ?? [];
        rt.state.set(FLAGS_STATE, op(current, flags));
      } else {
        const current = splitFlags([readVariable(rt, d.target)]);
        assignVariable(rt, d.target, op(current, flags).join(' '));
      }
    },
  };
}

interface HasflagData {
  spec: MatchSpec;
  /** Lower-cased variable names (or namespace paths); null for the internal variable. */
  variables: VariableTarget[] | null;
  keys: CompiledKeys;
  /** Keys are split into flags for :is and :contains; other match types take them as written. */
  splitKeys: boolean;
}

function variableRefs(arg: Argument, cx: CompileContext): VariableTarget[] | null {
  const items = arg.type === 'string' ? [arg] : arg.type === 'stringlist' ? arg.items : [];
  const refs: VariableTarget[] = [];
  for (const item of items) {
    if (!IDENT_PATH.test(item.value)) {
      cx.error(item.pos, `invalid variable name "${item.value}" for hasflag`);
      return null;
    }
    const pieces = item.value.toLowerCase().split('.');
    const name = pieces.pop()!;
    refs.push(pieces.length ? { kind: 'ns', namespace: pieces.join('.'), name } : { kind: 'var', name });
  }
  return refs;
}

const hasflag = defineTest<HasflagData | null>({
  name: 'hasflag',
  matching: true,
  positional: ['stringlist', 'stringlist'],
  optionalPositional: 1,
  compile(args, cx) {
    const [first, second] = args.positional as [Argument, Argument | undefined];
    let variables: VariableTarget[] | null = null;
    if (second) {
      if (!requireVariables(cx, first, 'hasflag')) return null;
      variables = variableRefs(first, cx);
      if (!variables) return null;
    }
    const spec = args.match!;
    const keyArg = second ?? first;
    const splitKeys = spec.type.name === 'is' || spec.type.name === 'contains';
    if (!splitKeys) return { spec, variables, keys: cx.keys(keyArg, spec), splitKeys };
    const strings = cx.stringList(keyArg);
    if (strings.every((s): s is string => typeof s === 'string')) {
      const flags = splitFlags(strings);
      const keys: CompiledKeys = {
        constant: true,
        strings: flags,
        matchers: flags.map((k) => spec.type.prepare(k, spec)),
      };
      return { spec, variables, keys, splitKeys };
    }
    return { spec, variables, keys: { constant: false, strings }, splitKeys };
  },
  test(d, rt) {
    if (!d) return false;
    let values: string[];
    if (d.variables === null) values = rt.state.get(FLAGS_STATE) ?? [];
    else values = d.variables.flatMap((v) => splitFlags([readVariable(rt, v)]));
    let keys = d.keys;
    if (d.splitKeys && !keys.constant)
      keys = { constant: false, strings: splitFlags(rt.expandList(keys.strings)) };
    return rt.match(values, keys, d.spec);
  },
});

/**
 * :flags on keep and fileinto (RFC 5232 §5): the action stores with the flags given, else with
 * the internal variable's (the implicit keep too).
 */
const flagsAttachment = defineAttachment<SieveString[]>({
  to: ['keep', 'fileinto'],
  tags: [{ name: 'flags', param: 'stringlist' }],
  compile(args, cx) {
    const t = args.tags.get('flags');
    return t?.value ? cx.stringList(t.value) : null;
  },
  action(action, explicit, rt) {
    if (action.type !== 'keep' && action.type !== 'fileinto') return;
    const flags = storeFlags(explicit, rt);
    if (flags) action.flags = flags;
  },
});

export const imap4flagsExtension: Extension = {
  name: 'imap4flags',
  commands: [flagCommand('setflag'), flagCommand('addflag'), flagCommand('removeflag')],
  tests: [hasflag],
  attachments: [flagsAttachment],
  onRun(rt) {
    rt.state.set(FLAGS_STATE, []);
  },
  // In a sequence the internal flags carry on to the following scripts.
  sequenceState: [FLAGS_STATE],
};
