import type { Position } from '../syntax/ast.js';
import type { CompileContext, Extension } from './types.js';
import type { Runtime } from '../runtime/runtime.js';
import { runCommands, Unwind } from '../runtime/interpreter.js';
import { mimeTree, walkParts, type MimePart } from '../message/mime.js';
import { stateKey } from '../compiler/state.js';
import { defineCommand } from './define.js';

/** Run state: the MIME part the innermost foreverypart is at (absent outside any loop). */
const PART_STATE = stateKey<MimePart>('foreverypart.part');
/** Run state: the root part the current part belongs to (a replaced message has another). */
const ROOT_STATE = stateKey<MimePart>('foreverypart.part.root');
/** Compile state: break commands whose loop is not found yet. */
const PENDING_STATE = stateKey<PendingBreak[]>('foreverypart.pending');
/** Nested foreverypart loops allowed, as in Pigeonhole. */
export const MAX_LOOP_DEPTH = 4;

/** The whole message as a MIME tree (parsed on first use, within the configured limits). */
export function rootPart(rt: Runtime): MimePart {
  return mimeTree(rt.message, { maxParts: rt.config.maxMimeParts, maxDepth: rt.config.maxMimeDepth });
}

/** The part the mime tests look at: the current foreverypart part, else the message. */
export function currentPart(rt: Runtime): MimePart {
  const part = rt.state.get(PART_STATE);
  // A harness may swap the message between runs: a part of another message does not count.
  return part && rt.state.get(ROOT_STATE) === rootPart(rt) ? part : rootPart(rt);
}

/** Thrown by `break`; caught by the loop it names, or the innermost one. */
/** What `break` gives back; the loop it names (or the innermost) consumes it. */
class BreakSignal extends Unwind {
  constructor(readonly name: string | null) {
    super();
  }
}

interface PendingBreak {
  name: string;
  pos: Position;
  /** Loops that may still be the target are those nested less deeply than this. */
  depth: number;
}

function loopDepth(cx: CompileContext): number {
  return cx.ancestors.filter((a) => a === 'foreverypart').length;
}

function pending(cx: CompileContext): PendingBreak[] {
  let list = cx.state.get(PENDING_STATE);
  if (!list) {
    list = [];
    cx.state.set(PENDING_STATE, list);
  }
  return list;
}

function nameTag(cx: CompileContext, value: import('../syntax/ast.js').Argument | undefined): string | null {
  if (!value) return null;
  const s = cx.string(value);
  if (typeof s !== 'string') {
    cx.error(value.pos, 'the :name of foreverypart and break must be a constant string');
    return null;
  }
  return s;
}

const foreverypart = defineCommand<{ name: string | null }>({
  name: 'foreverypart',
  tags: [{ name: 'name', param: 'string' }],
  block: true,
  compile(args, cx) {
    const name = nameTag(cx, args.tags.get('name')?.value);
    const depth = loopDepth(cx);
    if (depth >= MAX_LOOP_DEPTH)
      cx.error(cx.node.pos, `foreverypart loops nested too deeply (limit ${MAX_LOOP_DEPTH})`);
    // The block is compiled already: named breaks inside it that are still open look for this loop.
    const list = pending(cx);
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i]!;
      if (b.depth <= depth) continue;
      if (name !== null && b.name === name) list.splice(i, 1);
      else if (depth === 0) {
        cx.error(b.pos, `break :name "${b.name}" is not inside a foreverypart loop of that name`);
        list.splice(i, 1);
      } else b.depth = depth;
    }
    return { name };
  },
  run(d, rt, block) {
    const outer = rt.state.get(PART_STATE);
    const root = rootPart(rt);
    // Top level: every part, the message first; nested: the parts inside the current one.
    const parts = outer ? [...walkParts(currentPart(rt))].slice(1) : [...walkParts(root)];
    try {
      for (const part of parts) {
        rt.tick();
        rt.state.set(PART_STATE, part);
        rt.state.set(ROOT_STATE, root);
        const unwind = runCommands(block ?? [], rt);
        if (unwind === null) continue;
        if (unwind instanceof BreakSignal && (unwind.name === null || unwind.name === d.name)) break;
        return unwind;
      }
    } finally {
      if (outer) rt.state.set(PART_STATE, outer);
      else rt.state.delete(PART_STATE);
    }
  },
});

const breakCommand = defineCommand<{ name: string | null }>({
  name: 'break',
  tags: [{ name: 'name', param: 'string' }],
  compile(args, cx) {
    const name = nameTag(cx, args.tags.get('name')?.value);
    const depth = loopDepth(cx);
    if (depth === 0) cx.error(cx.node.pos, 'break used outside a foreverypart loop');
    else if (name !== null) pending(cx).push({ name, pos: cx.node.pos, depth });
    return { name };
  },
  run: (d) => new BreakSignal(d.name),
});

/** RFC 5703 §3: foreverypart loops over the MIME parts; break leaves a loop. */
export const foreverypartExtension: Extension = {
  name: 'foreverypart',
  commands: [foreverypart, breakCommand],
};
