import type { Diagnostic } from './diagnostics.js';
import type { EngineConfig, Extension } from './extensions/types.js';
import type { Envelope, MessageView } from './message/types.js';
import type { Program } from './compiler/program.js';
import type { Action } from './runtime/result.js';
import type { Host } from './runtime/host.js';
import type { TraceEvent } from './runtime/runtime.js';
import { compileSource } from './compiler/compiler.js';
import { Registry } from './compiler/registry.js';
import { base, standardExtensions } from './extensions/standard.js';
import { resolveConfig, type ConfigInput } from './config.js';
import { parseMessage } from './message/index.js';
import { Runtime, SieveRuntimeError } from './runtime/runtime.js';
import { runCommands } from './runtime/interpreter.js';
import { defaultHost } from './runtime/host.js';
import { FLAGS_STATE } from './extensions/support/imap4flags-state.js';

export interface EngineOptions {
  /** Limits and extension settings; anything left out takes its default. */
  config?: ConfigInput;
  /** Extra extensions (e.g. a test harness's), added after the standard ones. */
  extensions?: Extension[];
  /** Allow capabilities marked test-only. */
  allowTestOnly?: boolean;
  /** Host hooks for every run (a run's own `host` overrides them); `loadScript` also serves compiles. */
  host?: Partial<Host>;
}

export interface CompileResult {
  /** The compiled script, or null when there were errors. */
  program: Program | null;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** Which step failed, when one did: the syntax or the checks against the extensions. */
  failedAt?: 'parse' | 'validate';
}

export interface RunOptions {
  /** Monotonic milliseconds for the CPU time limit (default: process.hrtime, in milliseconds). */
  clock?: () => number;
  host?: Partial<Host>;
  trace?: (event: TraceEvent) => void;
  /** Called after per-run state is set up and before the script starts (harnesses use it). */
  prepare?: (rt: Runtime) => void;
}

export interface RunResult {
  /** 'error' when the script failed at run time; the actions are then the fallback keep alone. */
  status: 'ok' | 'error';
  /** What the host should do, in order; includes the implicit keep when it is in force. */
  actions: Action[];
  errors: Diagnostic[];
}

const CACHE_SIZE = 256;

interface RunSetup {
  /** Match variables are recorded only when the script can read them. */
  captureMatches: boolean;
  /** The onRun hooks of the extensions the program uses, in capability order. */
  onRun: Array<(rt: Runtime) => void>;
}

interface ScriptDependency {
  name: string;
  location: 'personal' | 'global';
  text: string | null;
}

/** A configured Sieve engine: compiles scripts (cached by content) and runs them over messages. */
export class SieveEngine {
  readonly config: EngineConfig;
  readonly registry: Registry;
  private readonly allowTestOnly: boolean;
  private readonly cache = new Map<string, CompileResult>();
  /** Scripts each cached compile loaded (include), re-read on a cache hit to notice changes. */
  private readonly cacheDeps = new Map<string, ScriptDependency[]>();
  private readonly host: Partial<Host>;
  /** True when no host hooks were given to the engine. */
  private readonly hostless: boolean;
  /** What each program needs before it runs, worked out on its first run. */
  private readonly setups = new WeakMap<Program, RunSetup>();

  constructor(options: EngineOptions = {}) {
    this.config = resolveConfig(options.config);
    this.registry = new Registry(base, [...standardExtensions, ...(options.extensions ?? [])]);
    this.allowTestOnly = options.allowTestOnly ?? false;
    this.host = options.host ?? {};
    this.hostless = options.host === undefined;
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

  compile(source: string): CompileResult {
    // The source itself is the key: exact, and no digest to compute.
    const key = source;
    const hit = this.cache.get(key);
    const load = this.host.loadScript?.bind(this.host);
    const deps = this.cacheDeps.get(key);
    if (hit && deps?.some((d) => (load ? load(d.name, d.location) : null) !== d.text)) {
      this.cache.delete(key);
    } else if (hit) {
      // Refresh its place in the LRU order.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const loaded: ScriptDependency[] = [];
    const tracked: Host['loadScript'] =
      load &&
      ((name, location) => {
        const text = load(name, location);
        loaded.push({ name, location, text });
        return text;
      });
    const result = this.compileUncached(source, tracked);
    this.cache.set(key, result);
    if (loaded.length) this.cacheDeps.set(key, loaded);
    else this.cacheDeps.delete(key);
    if (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value!;
      this.cache.delete(oldest);
      this.cacheDeps.delete(oldest);
    }
    return result;
  }

  private compileUncached(source: string, loadScript?: Host['loadScript']): CompileResult {
    if (Buffer.byteLength(source) > this.config.maxScriptSize) {
      return {
        program: null,
        errors: [
          {
            severity: 'error',
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
    const view = Buffer.isBuffer(message) ? parseMessage(message) : message;
    // Without host hooks given anywhere the defaults serve as they are, with no copy per run.
    const host =
      options.host === undefined && this.hostless
        ? defaultHost
        : { ...defaultHost, ...this.host, ...options.host };
    const rt = new Runtime(view, envelope, {
      config: this.config,
      host,
      trace: options.trace,
      clock: options.clock,
    });
    const setup = this.runSetup(program);
    rt.captureMatches = setup.captureMatches;
    for (let i = 0; i < setup.onRun.length; i++) setup.onRun[i]!(rt);
    options.prepare?.(rt);
    try {
      // Whether it ran to its end or stopped makes no difference here.
      runCommands(program.commands, rt);
    } catch (e) {
      const error: Diagnostic =
        e instanceof SieveRuntimeError
          ? { severity: 'error', message: e.message, line: e.pos?.line ?? 0, column: e.pos?.column ?? 0 }
          : {
              severity: 'error',
              message: `internal error: ${e instanceof Error ? e.message : String(e)}`,
              line: 0,
              column: 0,
            };
      // RFC 5228 §2.10.6: a failed script files the message as if nothing had run.
      return {
        status: 'error',
        actions: [{ type: 'keep', mailbox: 'INBOX', implicit: true }],
        errors: [error],
      };
    }
    const actions = rt.result.final(rt.state.get(FLAGS_STATE) as string[] | undefined);
    // The implicit keep stores the message as the script left it (editheader).
    if (rt.edited && rt.edited === rt.message) {
      for (const a of actions) if (a.type === 'keep' && a.implicit) a.message = rt.edited;
    }
    return { status: 'ok', actions, errors: [] };
  }
}

let shared: SieveEngine | null = null;
function defaultEngine(): SieveEngine {
  shared ??= new SieveEngine();
  return shared;
}

export interface CheckResult {
  ok: boolean;
  errors: Diagnostic[];
  warnings: Diagnostic[];
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
