import type { Argument } from '../syntax/ast.js';
import type {
  CompileContext,
  CompiledKeys,
  ComparatorDef,
  KeyMatcher,
  MatchSpec,
  MatchTypeDef,
  StringHook,
} from '../extensions/types.js';
import type { CompileState } from './compile-state.js';
import type { SieveString } from './strings.js';

const NO_PARAM = '\0none';
const never: KeyMatcher = () => false;

/** Compiles string arguments and match keys for one compile. */
export interface StringCompiler {
  string(arg: Argument): SieveString;
  stringList(arg: Argument): SieveString[];
  keys(arg: Argument, spec: MatchSpec): CompiledKeys;
  /** The one shared spec for a match type, comparator and parameter. */
  matchSpec(type: MatchTypeDef, comparator: ComparatorDef, param: string | undefined): MatchSpec;
  /** True when a string hook may turn text into something worked out at run time. */
  templating(): boolean;
}

export function createStringCompiler(s: CompileState, cx: () => CompileContext): StringCompiler {
  const { capabilities, registry } = s;
  // Prepared matchers of constant keys, by match spec (shared, see matchSpec) and key.
  const matchCache = new Map<MatchSpec, Map<string, KeyMatcher>>();
  // Match specs are plain data: nodes with the same match type, comparator and parameter share one.
  const specCache = new Map<MatchTypeDef, Map<ComparatorDef, Map<string, MatchSpec>>>();

  // The string hooks of the capabilities required, refreshed when the capabilities change.
  let capsSeen = -1;
  let decoders: NonNullable<StringHook['decode']>[] = [];
  let template: StringHook['template'] | undefined;
  function refreshHooks(): void {
    capsSeen = capabilities.size;
    decoders = [];
    template = undefined;
    for (const cap of capabilities) {
      const hook = registry.extensions.get(cap)?.strings;
      if (hook?.decode) decoders.push(hook.decode);
      if (hook?.template) template ??= hook.template;
    }
  }

  function compileString(arg: Argument): SieveString {
    if (arg.type !== 'string') return '';
    // Line breaks inside strings are CRLF whatever the script file uses (RFC 5228 §2.4.2).
    let text = arg.value.includes('\n') ? arg.value.replace(/\r?\n/g, '\r\n') : arg.value;
    if (capsSeen !== capabilities.size) refreshHooks();
    // Decoding comes first: what it produces is literal text for the template step.
    for (let i = 0; i < decoders.length; i++) text = decoders[i]!(text, cx(), arg.pos);
    return template ? template(text, cx(), arg.pos) : text;
  }

  function compileStringList(arg: Argument): SieveString[] {
    if (arg.type === 'string') return [compileString(arg)];
    if (arg.type !== 'stringlist') return [];
    const items = arg.items;
    if (items.length === 1) return [compileString(items[0]!)];
    const out = new Array<SieveString>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = compileString(items[i]!);
    return out;
  }

  function matchersFor(spec: MatchSpec): Map<string, KeyMatcher> {
    let byKey = matchCache.get(spec);
    if (!byKey) {
      // A spec made elsewhere than matchSpec shares the matchers of its canonical twin.
      const canonical = matchSpec(spec.type, spec.comparator, spec.param);
      byKey = matchCache.get(canonical);
      if (!byKey) matchCache.set(canonical, (byKey = new Map()));
      matchCache.set(spec, byKey);
    }
    return byKey;
  }

  function compileKeys(arg: Argument, spec: MatchSpec): CompiledKeys {
    const strings = compileStringList(arg);
    for (let i = 0; i < strings.length; i++) {
      if (typeof strings[i] !== 'string') return { constant: false, strings };
    }
    const cache = matchersFor(spec);
    if (strings.length === 1) {
      return {
        constant: true,
        strings: strings as string[],
        matchers: [matcherFor(strings[0] as string, arg, spec, cache)],
      };
    }
    const matchers = new Array<KeyMatcher>(strings.length);
    for (let i = 0; i < strings.length; i++) matchers[i] = matcherFor(strings[i] as string, arg, spec, cache);
    return { constant: true, strings: strings as string[], matchers };
  }

  function matcherFor(k: string, arg: Argument, spec: MatchSpec, cache: Map<string, KeyMatcher>): KeyMatcher {
    let m = cache.get(k);
    if (m) return m;
    const problem = spec.type.checkKey?.(k, s.config);
    if (problem) {
      s.error(arg.pos, problem, 'bad-key');
      return never;
    }
    try {
      m = spec.type.prepare(k, spec);
    } catch (e) {
      // A key the match type cannot use (an invalid :regex pattern) is the script's error.
      s.error(arg.pos, e instanceof Error ? e.message : String(e), 'bad-key');
      return never;
    }
    cache.set(k, m);
    return m;
  }

  function matchSpec(type: MatchTypeDef, comparator: ComparatorDef, param: string | undefined): MatchSpec {
    let byCmp = specCache.get(type);
    if (!byCmp) specCache.set(type, (byCmp = new Map()));
    let byParam = byCmp.get(comparator);
    if (!byParam) byCmp.set(comparator, (byParam = new Map()));
    const key = param ?? NO_PARAM;
    let spec = byParam.get(key);
    if (!spec) byParam.set(key, (spec = { type, comparator, param }));
    return spec;
  }

  function templating(): boolean {
    if (capsSeen !== capabilities.size) refreshHooks();
    return template !== undefined;
  }

  return {
    string: compileString,
    stringList: compileStringList,
    keys: compileKeys,
    matchSpec,
    templating,
  };
}
