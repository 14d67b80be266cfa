import type { Diagnostic } from './diagnostics.js';
import type { EngineConfig, RunContext } from './extensions/types.js';
import type { Envelope, MessageView } from './message/types.js';
import type { Program } from './compiler/program.js';
import type { KeepAction } from './runtime/result.js';
import type { Host } from './runtime/host.js';
import type { Runtime } from './runtime/runtime.js';
import type { StateKey } from './compiler/state.js';
import type {
  CompileAsyncOptions,
  CompileOptions,
  CheckResult,
  CompileResult,
  EngineOptions,
  RunOptions,
  RunResult,
  ScriptLoader,
} from './engine-types.js';
import type { TraceEvent } from './runtime/trace.js';
import { compileSource } from './compiler/compiler.js';
import { Registry } from './compiler/registry.js';
import { implicitKeepFields } from './compiler/attached.js';
import { base, standardExtensions } from './extensions/standard.js';
import { resolveConfig } from './config.js';
import { parseMessage } from './message/index.js';
import { PendingQuery } from './runtime/runtime.js';
import { defaultHost } from './runtime/host.js';
import { describeQuery, failed, hostFailure, settleAsync, settleSync } from './runtime/outcome.js';
import { runScripts, type SequenceCarry, type SequenceScript } from './runtime/sequence.js';
import { attemptRun, type RunSetup } from './runtime/attempt.js';
import { CompileCache, type ScriptDependency } from './compile-cache.js';

export type {
  CheckResult,
  EngineOptions,
  CompileOptions,
  ScriptLoader,
  CompileAsyncOptions,
  CompileResult,
  RunOptions,
  RunResult,
  RunStatus,
  SequenceScript,
} from './engine-types.js';

/** How many times an async run may be restarted for a new answer before it gives up. */
const MAX_ASYNC_ATTEMPTS = 1000;

const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
const MISSING_INCLUDE = /included (personal|global) script "(.*)" does not exist/;

/** A configured Sieve engine: compiles scripts (cached by content) and runs them over messages. */
export class SieveEngine {
  readonly config: EngineConfig;
  readonly registry: Registry;
  private readonly allowTestOnly: boolean;
  private readonly cache: CompileCache;
  private readonly host: Partial<Host>;
  /** True when no host hooks were given to the engine. */
  private readonly hostless: boolean;
  /** What each program needs before it runs, worked out on its first run. */
  private readonly setups = new WeakMap<Program, RunSetup>();
  /** What attachments of `keep` add to the implicit keep (RFC 5232 §5 flags, say). */
  private readonly keepFields: ((keep: KeepAction, rt: Runtime) => void) | null;
  /** Run state that carries on between the scripts of a sequence (Extension.sequenceState). */
  private readonly sequenceState: StateKey<unknown>[];

  constructor(options: EngineOptions = {}) {
    this.config = resolveConfig(options.config);
    this.registry = new Registry(base, [...standardExtensions, ...(options.extensions ?? [])]);
    this.allowTestOnly = options.allowTestOnly ?? false;
    this.host = options.host ?? {};
    this.hostless = options.host === undefined;
    this.cache = new CompileCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.keepFields = implicitKeepFields(this.registry);
    this.sequenceState = [...this.registry.extensions.values()].flatMap((ext) => ext.sequenceState ?? []);
  }

  private runSetup(program: Program): RunSetup {
    let setup = this.setups.get(program);
    if (setup === undefined) {
      const onRun: Array<(rt: Runtime) => void> = [];
      for (const cap of program.capabilities) {
        const ext = this.registry.extensions.get(cap);
        if (ext?.onRun) onRun.push(ext.onRun.bind(ext));
      }
      setup = { captureMatches: program.captureMatches, onRun };
      this.setups.set(program, setup);
    }
    return setup;
  }

  /** Capabilities a script may require here (test-only and disabled ones left out). */
  capabilities(): string[] {
    return this.registry.capabilities().filter((c) => !this.config.disabled.includes(c));
  }

  compile(source: string, options: CompileOptions = {}): CompileResult {
    const load = syncLoader(this.host.loadScript?.bind(this.host));
    const context = options.context ?? 'delivery';
    if (options.cache === false || this.cache.limit <= 0) return this.compileUncached(source, load, context);
    const key = cacheKey(source, context);
    const hit = this.cache.peek(key);
    if (hit) {
      const unchanged = hit.deps.every((d) => (load ? load(d.name, d.location) : null) === d.text);
      this.cache.settle(key, hit, unchanged);
      if (unchanged) return hit.result;
    }
    const loaded: ScriptDependency[] = [];
    const tracked: SyncLoader | undefined =
      load &&
      ((name, location) => {
        const text = load(name, location);
        loaded.push({ name, location, text });
        return text;
      });
    const result = this.compileUncached(source, tracked, context);
    this.cache.add(key, result, loaded);
    return result;
  }

  /** Bytes of source the compile cache holds (its bound is EngineOptions.cacheBytes). */
  get cacheSize(): number {
    return this.cache.size;
  }

  /**
   * Compiles a script whose includes come from an async loader: the scripts it names are loaded
   * (recursively, each once, within the include limits) and the script compiled with them. Cached
   * as `compile` is, the included scripts read again through the loader on a hit. With `upload`, a
   * missing included script is a warning and the program is for checks; uploads are not cached, as
   * a client may check ever new scripts it never stores.
   */
  async compileAsync(source: string, options: CompileAsyncOptions = {}): Promise<CompileResult> {
    const load: ScriptLoader = options.loadScript ?? (() => null);
    if (options.upload || this.cache.limit <= 0) return this.compileLoading(source, load, options);
    const key = cacheKey(source, options.context ?? 'delivery');
    const hit = this.cache.peek(key);
    if (hit) {
      const now = await Promise.all(hit.deps.map((d) => Promise.resolve(load(d.name, d.location))));
      const unchanged = hit.deps.every((d, i) => (now[i] ?? null) === d.text);
      this.cache.settle(key, hit, unchanged);
      if (unchanged) return hit.result;
    }
    const loaded: ScriptDependency[] = [];
    const tracked: ScriptLoader = async (name, location) => {
      const text = (await load(name, location)) ?? null;
      loaded.push({ name, location, text });
      return text;
    };
    const result = await this.compileLoading(source, tracked, options);
    this.cache.add(key, result, loaded);
    return result;
  }

  private async compileLoading(
    source: string,
    load: ScriptLoader,
    options: CompileAsyncOptions,
  ): Promise<CompileResult> {
    const known = new Map<string, string | null>();
    const stubs = new Map<string, Diagnostic>();
    const id = (name: string, location: string) => `${location}\0${name}`;
    // Each round loads at least one new script; the include limits bound how many there are.
    const rounds = this.config.include.maxIncludes + 2;
    let result: CompileResult | null = null;
    for (let round = 0; round < rounds; round++) {
      const pending = new Map<string, { name: string; location: 'personal' | 'global' }>();
      const loader: SyncLoader = (name, location) => {
        const k = id(name, location);
        if (stubs.has(k)) return '';
        if (known.has(k)) return known.get(k)!;
        pending.set(k, { name, location });
        // A stand-in while the real text is loaded; this round's result is thrown away.
        return '';
      };
      result = this.compileUncached(source, loader, options.context);
      if (pending.size === 0) {
        if (!options.upload) return result;
        const missing = result.errors.filter((e) => MISSING_INCLUDE.test(e.message));
        const fresh = missing.filter((e) => {
          const [, location, name] = MISSING_INCLUDE.exec(e.message)!;
          return !stubs.has(id(name!, location!));
        });
        if (fresh.length === 0) break;
        for (const e of fresh) {
          const [, location, name] = MISSING_INCLUDE.exec(e.message)!;
          stubs.set(id(name!, location!), {
            severity: 'warning',
            code: 'include-missing',
            line: e.line,
            column: e.column,
            message: `included ${location!} script "${name!}" does not exist (ignored during upload)`,
          });
        }
        continue;
      }
      const entries = [...pending];
      const texts = await Promise.all(entries.map(([, p]) => Promise.resolve(load(p.name, p.location))));
      entries.forEach(([k], i) => known.set(k, texts[i] ?? null));
    }
    if (!result) return this.compileUncached(source, undefined, options.context);
    if (stubs.size === 0) return result;
    return { ...result, warnings: [...stubs.values(), ...result.warnings] };
  }

  private compileUncached(source: string, loadScript?: SyncLoader, context?: RunContext): CompileResult {
    if (Buffer.byteLength(source) > this.config.maxScriptSize) {
      return {
        program: null,
        errors: [
          {
            severity: 'error',
            code: 'script-too-large',
            line: 1,
            column: 1,
            message: `script is too large (limit ${this.config.maxScriptSize} bytes)`,
          },
        ],
        warnings: [],
        failedAt: 'parse',
      };
    }
    const { syntax, compiled } = compileSource(source, {
      registry: this.registry,
      config: this.config,
      allowTestOnly: this.allowTestOnly,
      loadScript,
      context,
    });
    const all = [...syntax];
    let program: Program | null = null;
    if (compiled) {
      all.push(...compiled.diagnostics);
      program = compiled.program;
    }
    const errors = all.filter((d) => d.severity === 'error');
    const warnings = all.filter((d) => d.severity === 'warning');
    if (!errors.length) return { program, errors, warnings };
    return { program: null, errors, warnings, failedAt: program ? 'validate' : 'parse' };
  }

  /** Runs a compiled script over one message. Never throws for anything the script or message does. */
  run(
    program: Program,
    message: Buffer | MessageView,
    envelope: Envelope,
    options: RunOptions = {},
  ): RunResult {
    const out = this.attempt(program, message, envelope, options, undefined);
    if (!(out instanceof PendingQuery)) return out;
    // A synchronous run cannot wait; the answer is dropped (and so is its failure).
    out.answer.catch(() => {});
    return failed('error', `host query ${describeQuery(out.key)} answered asynchronously (use runAsync)`);
  }

  /**
   * Runs a compiled script over one message, awaiting host queries that answer with a Promise:
   * the run is started again from the beginning with every answer had so far (runs have no side
   * effects and take microseconds). Never rejects for anything the script, message or host does.
   */
  async runAsync(
    program: Program,
    message: Buffer | MessageView,
    envelope: Envelope,
    options: RunOptions = {},
  ): Promise<RunResult> {
    const view = Buffer.isBuffer(message) ? parseMessage(message) : message;
    const answers = new Map<string, unknown>();
    // An abandoned attempt's events are dropped: the sink sees the events of the run that counts.
    const sink = options.trace;
    let events: TraceEvent[] = [];
    const attemptOptions: RunOptions = sink ? { ...options, trace: (e) => events.push(e) } : options;
    for (let i = 0; i < MAX_ASYNC_ATTEMPTS; i++) {
      if (sink) events = [];
      const out = this.attempt(program, view, envelope, attemptOptions, answers);
      if (!(out instanceof PendingQuery)) {
        if (sink) for (const e of events) sink(e);
        return out;
      }
      try {
        answers.set(out.key, await out.answer);
      } catch (e) {
        return hostFailure(e);
      }
    }
    return failed('tempfail', 'too many host queries');
  }

  /**
   * Runs a sequence of scripts (global before-scripts, the personal script, after-scripts) over one
   * message with one result, each script only while the keep is in force (see runScripts). Errors
   * name the script they are in. Never throws for anything the scripts or message do.
   */
  runSequence(
    scripts: readonly SequenceScript[],
    message: Buffer | MessageView,
    envelope: Envelope,
    options: RunOptions = {},
  ): RunResult {
    const view = Buffer.isBuffer(message) ? parseMessage(message) : message;
    return settleSync(this.sequenceAttempt(scripts, view, envelope, options, undefined), 'runSequenceAsync');
  }

  /** runSequence awaiting host queries; the sequence is started again with each new answer. */
  runSequenceAsync(
    scripts: readonly SequenceScript[],
    message: Buffer | MessageView,
    envelope: Envelope,
    options: RunOptions = {},
  ): Promise<RunResult> {
    const view = Buffer.isBuffer(message) ? parseMessage(message) : message;
    return settleAsync((answers) => this.sequenceAttempt(scripts, view, envelope, options, answers));
  }

  private sequenceAttempt(
    scripts: readonly SequenceScript[],
    view: MessageView,
    envelope: Envelope,
    options: RunOptions,
    answers: Map<string, unknown> | undefined,
  ): RunResult | PendingQuery {
    const limits = { maxActions: this.config.maxActions, maxRedirects: this.config.maxRedirects };
    return runScripts(scripts, view, limits, (program, carry) =>
      this.attempt(program, carry.message, envelope, options, answers, carry),
    );
  }

  private attempt(
    program: Program,
    message: Buffer | MessageView,
    envelope: Envelope,
    options: RunOptions,
    answers: Map<string, unknown> | undefined,
    carry?: SequenceCarry,
  ): RunResult | PendingQuery {
    if (program.context !== (options.context ?? 'delivery')) {
      return failed(
        'error',
        `script compiled for ${program.context} cannot run in ${options.context ?? 'delivery'}`,
      );
    }
    const view = Buffer.isBuffer(message) ? parseMessage(message) : message;
    // Without host hooks given anywhere the defaults serve as they are, with no copy per run.
    const host =
      options.host === undefined && this.hostless
        ? defaultHost
        : { ...defaultHost, ...this.host, ...options.host };
    const plan = {
      config: this.config,
      host,
      setup: this.runSetup(program),
      keepFields: this.keepFields,
      sequenceState: this.sequenceState,
    };
    return attemptRun(program, view, envelope, plan, options, answers, carry);
  }
}

/** The source itself is the key: exact, and no digest to compute. */
const cacheKey = (source: string, context: RunContext): string =>
  context === 'delivery' ? source : `\0${context}\0${source}`;

type SyncLoader = (name: string, location: 'personal' | 'global') => string | null;

/** The host's script loader for a synchronous compile: a Promise counts as no script. */
function syncLoader(load: Host['loadScript']): SyncLoader | undefined {
  if (!load) return undefined;
  return (name, location) => {
    const text = load(name, location);
    if (!(text instanceof Promise)) return text;
    text.catch(() => {});
    return null;
  };
}

let shared: SieveEngine | null = null;
function defaultEngine(): SieveEngine {
  shared ??= new SieveEngine();
  return shared;
}

/** Compiles a script only to report problems (what ManageSieve's PUTSCRIPT and CHECKSCRIPT need). */
export function checkScript(source: string, engine: SieveEngine = defaultEngine()): CheckResult {
  const { errors, warnings } = engine.compile(source);
  return { ok: errors.length === 0, errors, warnings };
}

/**
 * Capability names ManageSieve advertises: the enabled standard extensions. Test-only ones are
 * never listed, and vendor ones (`vnd.*`) stay usable but unadvertised.
 */
export function sieveCapabilities(engine: SieveEngine = defaultEngine()): string[] {
  return engine.capabilities().filter((c) => !c.startsWith('vnd.'));
}
