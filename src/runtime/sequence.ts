import type { MessageView } from '../message/types.js';
import type { Program } from '../compiler/program.js';
import type { RunResult } from '../engine-types.js';
import { Result, storesInto, type Action, type KeepAction, type ResultLimits } from './result.js';
import { PendingQuery } from './runtime.js';

/** One script of a sequence: global before-scripts, the personal script, after-scripts. */
export interface SequenceScript {
  /** How the script is named in errors (a path or a script name). */
  name: string;
  program: Program;
}

/** What one script of a sequence hands on to the next. */
export interface SequenceCarry {
  /** One result for the whole sequence: duplicates merge and conflicts are checked across scripts. */
  result: Result;
  /** Run state extensions carry between scripts (Extension.sequenceState), as the last script left it. */
  state: Map<string, unknown>;
  /** The message as the last script left it (editheader changes carry on). */
  message: MessageView;
  /** True once a script edited the message: actions of later scripts store it as edited. */
  edited: boolean;
}

/** Runs one program of the sequence over the carried state, updating it. */
export type ScriptAttempt = (program: Program, carry: SequenceCarry) => RunResult | PendingQuery;

/**
 * Runs scripts in order while the keep is in force, as Pigeonhole's multiscript does: a script that
 * cancels the implicit keep (fileinto, discard, redirect... without an explicit keep) ends the
 * sequence. An explicit `keep` of a script that is not the last only means "carry on": the message
 * is stored once, by the keep the last script leaves in force. A script that fails ends the sequence;
 * what earlier scripts did stands, and the message is kept (RFC 5228 §2.10.6).
 */
export function runScripts(
  scripts: readonly SequenceScript[],
  message: MessageView,
  limits: ResultLimits,
  attempt: ScriptAttempt,
): RunResult | PendingQuery {
  const carry: SequenceCarry = { result: new Result(limits), state: new Map(), message, edited: false };
  if (scripts.length === 0) return { status: 'ok', actions: carry.result.final(), effects: [], errors: [] };
  const result = carry.result;
  let deferredFlags: string[] | undefined;
  let out: RunResult | PendingQuery | null = null;
  for (let i = 0; i < scripts.length; i++) {
    const script = scripts[i]!;
    const from = result.actions.length;
    const effectsFrom = result.effects.length;
    out = attempt(script.program, carry);
    if (out instanceof PendingQuery) return out;
    if (out.status !== 'ok') return abandoned(out, script.name, result, effectsFrom);
    if (i === scripts.length - 1) break;
    const keepAt = explicitKeep(result.actions, from);
    if (!result.implicitKeep && keepAt < 0) break;
    if (keepAt >= 0) {
      deferredFlags = (result.actions[keepAt] as KeepAction).flags;
      result.actions.splice(keepAt, 1);
      result.implicitKeep = true;
    }
    result.markExecuted();
  }
  const done = out as RunResult;
  const keep = done.actions.find((a): a is KeepAction => a.type === 'keep' && a.implicit === true);
  if (keep && !keep.flags && deferredFlags) keep.flags = deferredFlags;
  return done;
}

/** The last explicit keep a script took (at or after `from`), or -1. */
function explicitKeep(actions: Action[], from: number): number {
  for (let j = actions.length - 1; j >= from; j--) if (actions[j]!.type === 'keep') return j;
  return -1;
}

/**
 * A script failed: a temporary failure defers the whole delivery (nothing was carried out yet);
 * otherwise the actions of the scripts before it stand and the message is kept.
 */
function abandoned(out: RunResult, name: string, result: Result, effectsFrom: number): RunResult {
  const errors = out.errors.map((e) => ({ ...e, script: name }));
  if (out.status === 'tempfail') return { ...out, errors };
  const actions = result.actions.slice(0, result.executed);
  if (!actions.some((a) => storesInto(a) === 'INBOX')) {
    actions.push({ type: 'keep', mailbox: 'INBOX', implicit: true });
  }
  return { status: out.status, actions, effects: result.effects.slice(0, effectsFrom), errors };
}
