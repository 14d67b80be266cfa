/**
 * The options and results of SieveEngine's compile and run calls, apart from the engine so that
 * the run plumbing in runtime/ can name them without importing the engine.
 */
import type { Diagnostic } from './diagnostics.js';
import type { Extension, RunContext } from './extensions/types.js';
import type { Program } from './compiler/program.js';
import type { Action, Effect } from './runtime/result.js';
import type { Host } from './runtime/host.js';
import type { Runtime } from './runtime/runtime.js';
import type { RunStatus } from './runtime/outcome.js';
import type { TraceEvent } from './runtime/trace.js';
import type { ConfigInput } from './config.js';

export type { RunStatus } from './runtime/outcome.js';
export type { SequenceScript } from './runtime/sequence.js';

export interface EngineOptions {
  /** Limits and extension settings; anything left out takes its default. */
  config?: ConfigInput;
  /** Extra extensions (e.g. a test harness's), added after the standard ones. */
  extensions?: Extension[];
  /** Allow capabilities marked test-only. */
  allowTestOnly?: boolean;
  /** Host hooks for every run (a run's own `host` overrides them); `loadScript` also serves compiles. */
  host?: Partial<Host>;
  /** Bytes of script source the compile cache may hold (default 32 MB); 0 turns caching off. */
  cacheBytes?: number;
}

export interface CompileOptions {
  /** False: compile without reading or filling the cache (checks of uploads that are not stored). */
  cache?: boolean;
  /** Where the script will run (default delivery); commands that make no sense there do not compile. */
  context?: RunContext;
}

export type ScriptLoader = (
  name: string,
  location: 'personal' | 'global',
) => Promise<string | null> | string | null;

export interface CompileAsyncOptions {
  /** Loads included scripts (RFC 6609); awaited, recursively, before the script is compiled. */
  loadScript?: ScriptLoader;
  /**
   * Checking an upload (ManageSieve PUTSCRIPT / CHECKSCRIPT): an included script that does not
   * exist yet is a warning (code `include-missing`), as Pigeonhole has it, not an error.
   */
  upload?: boolean;
  /** As for compile. */
  context?: RunContext;
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
  /** Whose records host queries read (duplicate); default: the envelope recipient. */
  user?: string;
  /** Where this run happens (default delivery); a program compiled for another context is refused. */
  context?: RunContext;
}

export interface RunResult {
  status: RunStatus;
  /** What the host should do, in order; includes the implicit keep when it is in force. */
  actions: Action[];
  /** What the host should remember once the message is stored (none unless the status is `ok`). */
  effects: Effect[];
  errors: Diagnostic[];
}

/** What checkScript reports: whether the script compiles, and its problems. */
export interface CheckResult {
  ok: boolean;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}
