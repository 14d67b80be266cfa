import type { Position } from '../syntax/ast.js';
import type { Envelope, MessageView } from '../message/types.js';
import type { CompiledKeys, EngineConfig, KeyMatcher, MatchSpec, RunContext } from '../extensions/types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Answer, Host } from './host.js';
import { Result } from './result.js';
import { matchValues } from './match-types.js';
import { traceMatch, type TraceEvent, type TraceInput } from './trace.js';

export type { TraceEvent } from './trace.js';
import { StateBag } from '../compiler/state.js';
import { COMMAND_UNITS, CpuMeter, chargeComparisons } from './meter.js';

/** A run-time failure at a place in the script (RFC 5228 §2.10.6: the message is then kept). */
export class SieveRuntimeError extends Error {
  constructor(
    message: string,
    readonly pos?: Position,
  ) {
    super(message);
    this.name = 'SieveRuntimeError';
  }
}

/** A resource limit of the run was reached (CPU time): the run ends with status `limit`. */
export class SieveLimitError extends SieveRuntimeError {
  constructor(message: string, pos?: Position) {
    super(message, pos);
    this.name = 'SieveLimitError';
  }
}

/**
 * Thrown through the interpreter when a host query answered with a Promise: the run is abandoned
 * (it has no side effects), the answer awaited, and the run started again with it known.
 */
export class PendingQuery {
  constructor(
    readonly key: string,
    readonly answer: Promise<unknown>,
  ) {}
}

export interface RuntimeOptions {
  config: EngineConfig;
  host: Host;
  clock?: () => number;
  trace?: (event: TraceEvent) => void;
  /** Whose run this is (per-user host records such as duplicate marks); default: the envelope recipient. */
  user?: string;
  /** Answers to host queries known before the run (an async run's earlier attempts), by query key. */
  answers?: Map<string, unknown>;
  /** Where the run happens (default delivery). */
  context?: RunContext;
}

/** The position of trace events before the first command (an error in an onRun hook). */
const NOWHERE: Position = { line: 0, column: 0, offset: 0 };

/** Milliseconds from a monotonic clock (process.hrtime: the global performance object loads perf_hooks). */
function monotonicClock(): number {
  const [s, ns] = process.hrtime();
  return s * 1000 + ns / 1e6;
}

/** Everything a command or test sees while a script runs over one message. */
export class Runtime {
  /** Mutable so a harness can share one result between runs. */
  result: Result;
  private vars: Map<string, string> | null = null;
  private spaces: Map<string, (name: string) => string> | null = null;
  /** Per-run state of extensions, by typed key (see `stateKey`). */
  readonly state = new StateBag();
  /**
   * The message as a script changed it (see `replaceMessage`), while it is the one in `message`:
   * actions added meanwhile carry it.
   */
  edited: MessageView | null = null;
  /** ${0}..${9} from the last successful :matches (or :regex). */
  matchValues: string[] = [];
  /** True while match values may be set (variables required). */
  captureMatches = false;
  readonly config: EngineConfig;
  readonly host: Host;
  /** Whose run it is as given; else the envelope recipient, read when first needed (see `user`). */
  private runUser: string | undefined;
  /** Where the run happens: a delivery or an IMAP event (RFC 6785). */
  readonly context: RunContext;
  /**
   * The trace sink, when the run is traced: commands and tests report through it with
   * `rt.trace?.(...)`, whose argument is not even built when tracing is off.
   */
  readonly trace?: (event: TraceInput) => void;
  /** Nesting depth and current position, kept up only while tracing (see TraceEvent). */
  traceDepth = 0;
  tracePos: Position = NOWHERE;
  /** Matchers for keys built from variables; made on first use (most scripts have none). */
  private keyCache: Map<string, KeyMatcher> | null = null;
  /** Keys prepared at run time, per match type that bounds them (maxPreparesPerRun). */
  private prepared: Map<MatchSpec['type'], number> | null = null;
  /**
   * Bounds the run's CPU time (maxCpuTime); its clock is replaceable so limits can be tested
   * without timing. The engine starts it for the duration of the run.
   */
  readonly meter: CpuMeter;
  /** Host answers by query key: repeated questions agree within a run, and an async run resumes with them. */
  private readonly answers: Map<string, unknown> | null;

  constructor(
    public message: MessageView,
    public envelope: Envelope,
    options: RuntimeOptions,
  ) {
    this.config = options.config;
    this.host = options.host;
    const sink = options.trace;
    // Assigned either way: traced and untraced runtimes keep one shape, so traced runs in a
    // process do not make every property access of later runs polymorphic.
    this.trace =
      sink === undefined
        ? undefined
        : (e) => sink({ ...e, pos: e.pos ?? this.tracePos, depth: this.traceDepth } as TraceEvent);
    this.meter = new CpuMeter(this.config.maxCpuTime * 1000, options.clock ?? monotonicClock, () => {
      throw new SieveLimitError('execution exceeded CPU time limit');
    });
    this.result = new Result(this.config);
    this.answers = options.answers ?? null;
    this.runUser = options.user;
    this.context = options.context ?? 'delivery';
  }

  /**
   * Whose records host queries read (duplicate, vacation). The envelope is only read here when a
   * script needs it: a dry run's envelope comes from the message's fields, parsed on demand.
   */
  get user(): string {
    return (this.runUser ??= this.envelope.to);
  }

  /**
   * Asks the host a question identified by `key` (same key, same question). An answer already
   * known is reused; a Promise suspends the run (see PendingQuery); a TempFailError passes through.
   */
  ask<T>(key: string, question: () => Answer<T>): T {
    const known = this.answers;
    if (known !== null && known.has(key)) return known.get(key) as T;
    const answer = question();
    if (answer instanceof Promise) throw new PendingQuery(key, answer);
    if (known !== null) known.set(key, answer);
    return answer;
  }

  /**
   * Makes `view` the message that tests read from now on and that actions taken from now on (and
   * the implicit keep) carry: how an extension that edits the message hands on its result.
   */
  replaceMessage(view: MessageView): void {
    this.message = view;
    this.edited = view;
  }

  /** Variables of the `variables` extension, by lower-cased name (made on first use). */
  get variables(): Map<string, string> {
    return (this.vars ??= new Map());
  }

  /** Read-only namespaces (`${ns.name}`), e.g. the test harness's `tst` (made on first use). */
  get namespaces(): Map<string, (name: string) => string> {
    return (this.spaces ??= new Map());
  }

  /** Expands variable references in a compiled string. */
  expand(s: SieveString): string {
    if (typeof s === 'string') return s;
    let out = '';
    // Referenced values add at most maxVariableSize characters in all, which bounds memory; the
    // script's own text is never cut (`text:` strings keep their final line break).
    let budget = this.config.maxVariableSize;
    for (const p of s.parts) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      let v: string;
      if (p.kind === 'var') v = this.variables.get(p.name) ?? '';
      else if (p.kind === 'match') v = this.matchValues[p.index] ?? '';
      else v = this.namespaces.get(p.namespace)?.(p.name) ?? '';
      if (v.length > budget) v = v.slice(0, budget);
      budget -= v.length;
      out += v;
    }
    this.meter.charge(out.length);
    return out;
  }

  /** Expands every string of a list; a list without variables is returned as it is (do not modify it). */
  expandList(list: SieveString[]): string[] {
    let i = 0;
    while (i < list.length && typeof list[i] === 'string') i++;
    if (i === list.length) return list as string[];
    const out: string[] = [];
    for (let j = 0; j < list.length; j++) out.push(this.expand(list[j]!));
    return out;
  }

  /** Records match values; only the first ten count (RFC 5229 §3.2). */
  setMatchValues(values: string[]): void {
    if (!this.captureMatches) return;
    const max = this.config.maxMatchValues;
    this.matchValues = values.length > max ? values.slice(0, max) : values;
  }

  /** Matches values against keys with the given spec; keys with variables are prepared per use. */
  match(values: string[], keys: CompiledKeys, spec: MatchSpec): boolean {
    if (this.trace !== undefined) {
      const strings = keys.constant ? keys.strings : this.expandList(keys.strings);
      return traceMatch(
        this,
        values,
        strings,
        keys.constant ? keys.matchers : this.prepare(strings, spec),
        spec,
      );
    }
    if (keys.constant) {
      if (spec.type.matchAll !== undefined) return spec.type.matchAll(values, keys.strings, spec, this);
      // matchValues' loop, inlined by hand: this runs for nearly every test, mostly unoptimized.
      const matchers = keys.matchers;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (chargeComparisons(this.meter, v, matchers.length)) {
          for (let j = 0; j < matchers.length; j++) if (matchers[j]!(v, this)) return true;
        } else {
          for (let j = 0; j < matchers.length; j++) {
            this.meter.charge(v.length);
            if (matchers[j]!(v, this)) return true;
          }
        }
      }
      return false;
    }
    const strings = this.expandList(keys.strings);
    return matchValues(values, strings, this.prepare(strings, spec), spec, this);
  }

  /** Matchers for keys expanded at run time, cached by key and spec. */
  private prepare(strings: string[], spec: MatchSpec): KeyMatcher[] {
    return strings.map((k) => {
      const cacheKey = `${spec.type.name}\0${spec.comparator.name}\0${spec.param ?? ''}\0${k}`;
      const cache = (this.keyCache ??= new Map());
      let m = cache.get(cacheKey);
      if (!m) {
        this.countPrepare(spec.type);
        // Preparing reads the key at least once; regex compilation many times over.
        this.meter.charge(k.length * 16);
        m = spec.type.prepare(k, spec);
        if (cache.size < 1000) cache.set(cacheKey, m);
      }
      return m;
    });
  }

  /**
   * Counts work for maxCpuTime: one per command or test, more for costly steps such as a regex
   * over a long value (see meter.ts). A run is synchronous, so its elapsed time is its CPU time.
   */
  tick(units = 1): void {
    this.meter.charge(units * COMMAND_UNITS);
  }

  private countPrepare(type: MatchSpec['type']): void {
    const max = type.maxPreparesPerRun;
    if (max === undefined) return;
    const counts = (this.prepared ??= new Map());
    const n = (counts.get(type) ?? 0) + 1;
    if (n > max) this.error(undefined, `more than ${max} :${type.name} keys built from variables in one run`);
    counts.set(type, n);
  }

  error(pos: Position | undefined, message: string): never {
    throw new SieveRuntimeError(message, pos);
  }
}
