import {
  formatDiagnostic,
  TempFailError,
  type Action,
  type Effect,
  type Envelope,
  type MessageView,
  type SequenceScript,
  type SieveEngine,
} from '../index.js';
import type { DuplicateTracker, VacationTracker } from '../stores/types.js';
import type { Mailboxes } from './ports.js';

type ScriptLoader = NonNullable<NonNullable<Parameters<SieveEngine['compileAsync']>[1]>['loadScript']>;

/** A script of the sequence: its name (for logs) and text. */
export interface NamedScript {
  name: string;
  source: string;
  /** The user's own script: its problems go to the user's Sieve log too. */
  personal?: boolean;
  /** Reads the scripts it includes (RFC 6609). */
  loadScript?: ScriptLoader;
}

export interface SequenceResult {
  actions: Action[];
  /** What to remember once the message is stored: only from scripts that ran to their end. */
  effects: Effect[];
  /** Every script problem, for the delivery log. */
  errors: string[];
  /** The personal script's problems, for the user's Sieve log. */
  userErrors: string[];
  /** Set when a store could not answer: the delivery must be tried again later. */
  tempfail: string | null;
}

export interface SequenceContext {
  engine: SieveEngine;
  user: string;
  envelope: Envelope;
  message: MessageView;
  mailboxes: Mailboxes;
  duplicates: DuplicateTracker;
  vacation: VacationTracker;
  now: Date;
}

/** A store failure seen by the engine as "cannot tell right now" (a run ending in tempfail). */
function temporary<T>(p: Promise<T>): Promise<T> {
  return p.catch((e: unknown) => {
    throw new TempFailError(e instanceof Error ? e.message : String(e));
  });
}

/**
 * Runs the sequence as Pigeonhole does, through the engine's `runSequenceAsync`: before-scripts, the
 * personal script, after-scripts; each later script runs only while the keep is in force, and the
 * message is stored once at the end. A script that fails at run time ends the sequence with a keep
 * and its own actions are dropped (those of earlier scripts stand). A script that does not compile
 * does the same once the sequence reaches it: the scripts before it run as a sequence of their own.
 */
export async function runSequence(scripts: NamedScript[], ctx: SequenceContext): Promise<SequenceResult> {
  const out: SequenceResult = { actions: [], effects: [], errors: [], userErrors: [], tempfail: null };
  const host = {
    now: () => ctx.now,
    mailboxExists: (name: string) => temporary(ctx.mailboxes.exists(name)),
    duplicateSeen: (q: { user: string; key: string; seconds: number }) =>
      temporary(ctx.duplicates.seen(q.user, q.key, q.seconds, ctx.now)),
    vacationReplied: (q: { user: string; sender: string; handle: string; seconds: number }) =>
      temporary(ctx.vacation.recentlyReplied(q.user, q.sender, q.handle, q.seconds, ctx.now)),
  };
  const problem = (script: NamedScript | undefined, lines: string[]): void => {
    out.errors.push(...lines);
    if (script?.personal) out.userErrors.push(...lines);
  };
  const programs: SequenceScript[] = [];
  let broken: { script: NamedScript; errors: string[] } | null = null;
  for (const script of scripts) {
    const compiled = await ctx.engine.compileAsync(script.source, { loadScript: script.loadScript });
    if (!compiled.program) {
      broken = { script, errors: compiled.errors.map((e) => formatDiagnostic(e, script.name)) };
      break;
    }
    programs.push({ name: script.name, program: compiled.program });
  }
  const run = await ctx.engine.runSequenceAsync(programs, ctx.message, ctx.envelope, {
    host,
    user: ctx.user,
  });
  if (run.status === 'tempfail') {
    out.tempfail = run.errors.map((e) => e.message).join('; ') || 'temporary failure';
    return out;
  }
  const byName = new Map(scripts.map((s) => [s.name, s]));
  for (const e of run.errors) problem(byName.get(e.script ?? ''), [formatDiagnostic(e, e.script)]);
  out.actions = run.actions;
  out.effects = run.effects;
  // The broken script counts only if the sequence reached it: the keep was still in force.
  if (broken && run.status === 'ok' && run.actions.some((a) => a.type === 'keep')) {
    problem(broken.script, broken.errors);
  }
  return out;
}
