/**
 * One attempt at running a program over a message: the runtime set up, the script run under the
 * CPU meter, and its outcome settled. An async run or a sequence makes several attempts.
 */
import type { EngineConfig } from '../extensions/types.js';
import type { StateKey } from '../compiler/state.js';
import type { Envelope, MessageView } from '../message/types.js';
import type { Program } from '../compiler/program.js';
import type { Position } from '../syntax/ast.js';
import type { RunOptions, RunResult } from '../engine-types.js';
import type { KeepAction } from './result.js';
import type { SequenceCarry } from './sequence.js';
import type { Host } from './host.js';
import { PendingQuery, Runtime, SieveLimitError, SieveRuntimeError } from './runtime.js';
import { runCommands } from './interpreter.js';
import { TempFailError } from './host.js';
import { failed, hostFailure } from './outcome.js';

/** What a program needs before it runs, worked out by the engine once per program. */
export interface RunSetup {
  /** Match variables are recorded only when the script can read them. */
  captureMatches: boolean;
  /** The onRun hooks of the extensions the program uses, in capability order. */
  onRun: Array<(rt: Runtime) => void>;
}

/** What the engine gives every attempt. */
export interface AttemptPlan {
  config: EngineConfig;
  host: Host;
  setup: RunSetup;
  /** What attachments of `keep` add to the implicit keep (RFC 5232 §5 flags, say). */
  keepFields: ((keep: KeepAction, rt: Runtime) => void) | null;
  /** The run state keys extensions carry from one script of a sequence to the next. */
  sequenceState: readonly StateKey<unknown>[];
}

/**
 * Runs `program` once. A host query that is not answered yet comes back as the PendingQuery to
 * await; anything the script or message does ends in a RunResult, never a throw. In a sequence,
 * `carry` brings in the shared result, the message as edited so far and the run state
 * extensions carry (imap4flags' flags), and takes them on to the next script.
 */
export function attemptRun(
  program: Program,
  view: MessageView,
  envelope: Envelope,
  plan: AttemptPlan,
  options: RunOptions,
  answers: Map<string, unknown> | undefined,
  carry?: SequenceCarry,
): RunResult | PendingQuery {
  const rt = new Runtime(view, envelope, {
    config: plan.config,
    host: plan.host,
    trace: options.trace,
    clock: options.clock,
    answers,
    user: options.user,
    context: program.context,
  });
  const setup = plan.setup;
  rt.captureMatches = setup.captureMatches;
  if (carry) {
    rt.result = carry.result;
    // Actions store the message as earlier scripts edited it.
    if (carry.edited) rt.edited = rt.message;
  }
  const stopMeter = rt.meter.start();
  try {
    for (let i = 0; i < setup.onRun.length; i++) setup.onRun[i]!(rt);
    if (carry)
      for (const key of plan.sequenceState) if (carry.state.has(key)) rt.state.set(key, carry.state.get(key));
    options.prepare?.(rt);
    // Whether it ran to its end or stopped makes no difference here.
    runCommands(program.commands, rt);
    if (carry) {
      for (const key of plan.sequenceState) {
        const value = rt.state.get(key);
        if (value !== undefined) carry.state.set(key, value);
      }
      if (rt.edited && rt.edited === rt.message) {
        carry.message = rt.edited;
        carry.edited = true;
      }
    }
  } catch (e) {
    if (e instanceof PendingQuery) return e;
    rt.trace?.({ kind: 'error', message: e instanceof Error ? e.message : String(e), pos: errorPos(e) });
    if (e instanceof TempFailError) return hostFailure(e);
    if (e instanceof SieveRuntimeError) {
      const pos = { line: e.pos?.line ?? 0, column: e.pos?.column ?? 0 };
      return failed(e instanceof SieveLimitError ? 'limit' : 'error', e.message, pos);
    }
    return failed('error', `internal error: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    stopMeter();
  }
  const actions = rt.result.final();
  const last = actions[actions.length - 1];
  if (last?.type === 'keep' && last.implicit) {
    plan.keepFields?.(last, rt);
    // The implicit keep stores the message as the script left it.
    if (rt.edited && rt.edited === rt.message) last.message = rt.edited;
  }
  return { status: 'ok', actions, effects: rt.result.effects, errors: [] };
}

/** Where a run-time error happened, when it says so (else the trace uses the current command's place). */
function errorPos(e: unknown): Position | undefined {
  return e instanceof SieveRuntimeError ? e.pos : undefined;
}
