import type { CompiledCommand, CompiledTest } from '../compiler/program.js';
import type { Runtime } from './runtime.js';
import { ActionConflict } from './result.js';
import { SieveRuntimeError } from './runtime.js';

/**
 * Why a list of commands ended before its end: `stop`, or a signal of an extension (include's
 * `return`, foreverypart's `break`) that the command owning it consumes. Passed back as a value
 * rather than thrown: a script that stops on most messages would otherwise pay for an exception
 * each time.
 */
export class Unwind {}
/** `stop` carries no data, so one instance serves every run. */
const STOP = new Unwind();

export function evaluate(test: CompiledTest, rt: Runtime): boolean {
  rt.tick();
  if (rt.trace === undefined) return test.run(rt);
  return evaluateTraced(test, rt);
}

/** A test between its start and result events; what it reports meanwhile is one level deeper. */
function evaluateTraced(test: CompiledTest, rt: Runtime): boolean {
  const { name } = test.def;
  const pos = test.pos;
  rt.trace!({ kind: 'test-start', name, pos });
  const outer = rt.tracePos;
  rt.tracePos = pos;
  rt.traceDepth++;
  let value: boolean;
  try {
    value = test.def.test(test.data, rt);
  } finally {
    rt.traceDepth--;
    rt.tracePos = outer;
  }
  rt.trace!({ kind: 'test', name, pos, result: value });
  return value;
}

/** Runs a list of commands; returns what ended it early, or null when it ran to its end. */
export function runCommands(commands: CompiledCommand[], rt: Runtime): Unwind | null {
  // Indexed loops: much of a short run happens before V8 optimizes this, where iterators cost.
  for (let c = 0; c < commands.length; c++) {
    const cmd = commands[c]!;
    rt.tick();
    switch (cmd.kind) {
      case 'if': {
        const branches = cmd.branches;
        for (let b = 0; b < branches.length; b++) {
          const branch = branches[b]!;
          if (branch.test === null || evaluate(branch.test, rt)) {
            const unwind =
              rt.trace === undefined ? runCommands(branch.body, rt) : runBlockTraced(branch.body, rt);
            if (unwind !== null) return unwind;
            break;
          }
        }
        break;
      }
      case 'stop':
        rt.trace?.({ kind: 'stop', pos: cmd.pos });
        return STOP;
      case 'action': {
        const before = rt.result.actions.length;
        let unwind: Unwind | void;
        if (rt.trace !== undefined) rt.tracePos = cmd.pos;
        try {
          unwind = cmd.def.run(cmd.data, rt, cmd.block);
        } catch (e) {
          if (e instanceof ActionConflict) throw new SieveRuntimeError(e.message, cmd.pos);
          if (e instanceof SieveRuntimeError && !e.pos) throw new SieveRuntimeError(e.message, cmd.pos);
          throw e;
        }
        if (rt.edited && rt.edited === rt.message) stampEdited(rt, before);
        if (!cmd.block) {
          rt.trace?.({
            kind: 'action',
            name: cmd.def.name,
            pos: cmd.pos,
            actions: rt.result.actions.slice(before),
          });
        }
        if (unwind) return unwind;
        break;
      }
    }
  }
  return null;
}

/** The body of an if/elsif/else, one level deeper in the trace. */
function runBlockTraced(body: CompiledCommand[], rt: Runtime): Unwind | null {
  rt.traceDepth++;
  try {
    return runCommands(body, rt);
  } finally {
    rt.traceDepth--;
  }
}

/** Actions taken after the script changed the message carry the message as it was then (RFC 5293). */
function stampEdited(rt: Runtime, from: number): void {
  const actions = rt.result.actions;
  for (let i = from; i < actions.length; i++) actions[i]!.message ??= rt.edited!;
}
