import type { Position } from '../syntax/ast.js';
import type { ActionCommandDef, RunContext, TestDef } from '../extensions/types.js';
import type { Runtime } from '../runtime/runtime.js';

/** The compiled form: plain data pointing at the definitions that run it. */
export interface CompiledTest {
  def: TestDef;
  data: unknown;
  pos: Position;
  /** What an untraced run calls: the definition's bound form, or its `test` with this data. */
  run: (rt: Runtime) => boolean;
}

export type CompiledCommand =
  | { kind: 'action'; def: ActionCommandDef; data: unknown; block: CompiledCommand[] | null; pos: Position }
  | { kind: 'if'; branches: Array<{ test: CompiledTest | null; body: CompiledCommand[] }>; pos: Position }
  | { kind: 'stop'; pos: Position };

export interface Program {
  commands: CompiledCommand[];
  /** Capabilities the script required (and those implied by them). */
  capabilities: Set<string>;
  /** Match values are recorded in runs: an extension required reads them (`${1}`). */
  captureMatches: boolean;
  /** The run context the script was compiled for; it runs only there. */
  context: RunContext;
}
