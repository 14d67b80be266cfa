/**
 * What engine tests share: compile a script or fail the test with its errors, run it, and ask
 * whether a test holds. Each test file keeps its own message, envelope and `require` line.
 */
import { expect } from 'vitest';
import { SieveEngine, type RunOptions, type RunResult } from '../../src/engine.js';
import type { Program } from '../../src/compiler/program.js';
import type { Envelope } from '../../src/message/types.js';

export const ENVELOPE: Envelope = { from: 'sender@example.org', to: 'user@example.org' };

export interface ScriptRun {
  /** Default: a new engine with the default configuration. */
  engine?: SieveEngine;
  /** Default: a message with one Subject field. */
  message?: string | Buffer;
  /** Default: ENVELOPE. */
  envelope?: Envelope;
  /** Passed to engine.run (host, prepare...). */
  options?: RunOptions;
}

const DEFAULT_MESSAGE = 'Subject: test\r\n\r\nbody\r\n';

/** Compiles a script that must compile; a test fails with the errors (line:column message). */
export function compileOk(script: string, engine: SieveEngine = new SieveEngine()): Program {
  const c = engine.compile(script);
  if (!c.program) throw new Error(c.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return c.program;
}

/** Compiles and runs a script over a message. */
export function runScript(script: string, run: ScriptRun = {}): RunResult {
  const engine = run.engine ?? new SieveEngine();
  const message = run.message ?? DEFAULT_MESSAGE;
  return engine.run(
    compileOk(script, engine),
    Buffer.isBuffer(message) ? message : Buffer.from(message),
    run.envelope ?? ENVELOPE,
    run.options,
  );
}

/**
 * Whether a test holds: runs `<prelude>if <test> { discard; }` and looks for the discard. The run
 * must end without errors.
 */
export function holds(test: string, prelude = '', run: ScriptRun = {}): boolean {
  const r = runScript(`${prelude}if ${test} { discard; }`, run);
  expect(r.errors).toEqual([]);
  return r.actions.some((a) => a.type === 'discard');
}

/** The compile errors of a script, as messages. */
export function errorsOf(script: string, engine: SieveEngine = new SieveEngine()): string[] {
  return engine.compile(script).errors.map((e) => e.message);
}
