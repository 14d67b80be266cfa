import type { RunResult } from '../engine-types.js';
import { TempFailError } from './host.js';
import { PendingQuery } from './runtime.js';

/** How many times an async run may be restarted for a new answer before it gives up. */
const MAX_ATTEMPTS = 1000;

/**
 * How a run ended: `ok`; `error` (a run-time error: the actions are the fallback keep);
 * `tempfail` (a host query failed temporarily: try the delivery again later, LMTP 451 / exit 75);
 * `limit` (a resource limit such as CPU time was reached: the actions are the fallback keep).
 */
export type RunStatus = 'ok' | 'error' | 'tempfail' | 'limit';

/** Diagnostic codes of failed runs, by status. */
const RUN_CODES: Record<RunStatus, string> = {
  ok: 'ok',
  error: 'runtime-error',
  tempfail: 'temporary-failure',
  limit: 'limit-exceeded',
};

/** RFC 5228 §2.10.6: a failed script files the message as if nothing had run. */
export function failed(status: RunStatus, message: string, pos = { line: 0, column: 0 }): RunResult {
  return {
    status,
    actions: [{ type: 'keep', mailbox: 'INBOX', implicit: true }],
    effects: [],
    errors: [{ severity: 'error', code: RUN_CODES[status], message, ...pos }],
  };
}

/** A query that threw or rejected: temporary when the host said so, else a run-time error. */
export function hostFailure(e: unknown): RunResult {
  if (e instanceof TempFailError) return failed('tempfail', `temporary failure: ${e.message}`);
  return failed('error', `host query failed: ${e instanceof Error ? e.message : String(e)}`);
}

export function describeQuery(key: string): string {
  return key.split('\0')[0]!;
}

/** A synchronous run cannot wait for an answer: the answer is dropped (and so is its failure). */
export function settleSync(out: RunResult | PendingQuery, asyncName: string): RunResult {
  if (!(out instanceof PendingQuery)) return out;
  out.answer.catch(() => {});
  return failed('error', `host query ${describeQuery(out.key)} answered asynchronously (use ${asyncName})`);
}

/** Attempts a run until every host query it asks is answered, each awaited answer kept for the next attempt. */
export async function settleAsync(
  attempt: (answers: Map<string, unknown>) => RunResult | PendingQuery,
): Promise<RunResult> {
  const answers = new Map<string, unknown>();
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const out = attempt(answers);
    if (!(out instanceof PendingQuery)) return out;
    try {
      answers.set(out.key, await out.answer);
    } catch (e) {
      return hostFailure(e);
    }
  }
  return failed('tempfail', 'too many host queries');
}
