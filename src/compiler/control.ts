import type { CommandNode, TestNode } from '../syntax/ast.js';
import type { CompileContext } from '../extensions/types.js';
import type { CompileState } from './compile-state.js';
import type { CompiledCommand, CompiledTest } from './program.js';
import type { ListStack } from '../syntax/lists.js';
import { suggest } from './suggest.js';

type IfCommand = Extract<CompiledCommand, { kind: 'if' }>;
const NO_COMMANDS: CommandNode[] = [];

/** Where a list of commands stands while its commands are compiled one by one. */
export interface BlockState {
  topLevel: boolean;
  /** Still at the start of the script, where require may stand. */
  requiresAllowed: boolean;
  /** The if command elsif and else attach to. */
  lastIf: IfCommand | null;
  /** The previous command was an if or elsif (else and elsif need one). */
  lastWasIf: boolean;
}

export function newBlock(topLevel: boolean): BlockState {
  return { topLevel, requiresAllowed: topLevel, lastIf: null, lastWasIf: false };
}

/** What the control commands need of the rest of the compiler. */
export interface ControlDeps {
  compileTest(node: TestNode): CompiledTest | null;
  compileBody(name: string, nodes: CommandNode[]): CompiledCommand[];
  context(node: CommandNode | TestNode): CompileContext;
}

/** The control commands of RFC 5228 §3: if/elsif/else, stop and require. */
export interface ControlCompiler {
  /** Compiles if, elsif, else or stop onto `commands`; false when the node is none of them. */
  compileControl(node: CommandNode, b: BlockState, wasIf: boolean): boolean;
  handleRequire(node: CommandNode): void;
  /** Enables a capability and those it implies, running their onRequire hooks. */
  enable(name: string, node: CommandNode | TestNode): void;
}

export function createControlCompiler(
  s: CompileState,
  commands: ListStack<CompiledCommand>,
  deps: ControlDeps,
): ControlCompiler {
  const { registry, config, capabilities, stack, error } = s;

  function compileControl(node: CommandNode, b: BlockState, wasIf: boolean): boolean {
    switch (node.name) {
      case 'if':
      case 'elsif':
      case 'else': {
        if (node.name !== 'if' && !wasIf) {
          error(node.pos, `${node.name} without a preceding if`, 'no-preceding-if');
        }
        const needsTest = node.name !== 'else';
        if (node.args.length > 0)
          error(node.args[0]!.pos, `${node.name} takes no arguments`, 'unexpected-argument');
        let test: CompiledTest | null = null;
        if (needsTest) {
          if (node.tests.length !== 1 || node.testList) {
            error(
              node.pos,
              node.testList
                ? `${node.name} takes a single test, not a test list`
                : `${node.name} needs a test`,
              'test-count',
            );
          } else {
            stack.push(node.name);
            try {
              test = deps.compileTest(node.tests[0]!);
            } finally {
              stack.pop();
            }
          }
          // ihave: the block of a missing capability is not compiled (RFC 5463 §4).
          if (test?.def.guard && !test.def.guard(test.data)) {
            if (node.name === 'if' || !b.lastIf) {
              b.lastIf = { kind: 'if', branches: [{ test, body: [] }], pos: node.pos };
              commands.push(b.lastIf);
            } else {
              b.lastIf.branches.push({ test, body: [] });
            }
            b.lastWasIf = true;
            return true;
          }
        } else if (node.tests.length > 0) {
          const first = node.tests[0]!;
          error(
            first.pos,
            first.name === 'if' ? 'else takes no test (write elsif, not else if)' : 'else takes no test',
            'unexpected-test',
          );
        }
        // Reported even when the test failed: a missing block is a problem of its own.
        if (node.block === null) error(node.pos, `${node.name} needs a block in braces`, 'missing-block');
        const body = deps.compileBody(node.name, node.block ?? NO_COMMANDS);
        if (node.name === 'if' || !b.lastIf) {
          b.lastIf = { kind: 'if', branches: [{ test, body }], pos: node.pos };
          commands.push(b.lastIf);
        } else {
          b.lastIf.branches.push({ test, body });
        }
        b.lastWasIf = node.name !== 'else';
        if (node.name === 'else') b.lastIf = null;
        return true;
      }
      case 'stop':
        if (node.args.length || node.tests.length)
          error(node.pos, 'stop takes no arguments', 'unexpected-argument');
        if (node.block) error(node.pos, 'stop takes no block', 'unexpected-block');
        commands.push({ kind: 'stop', pos: node.pos });
        b.lastIf = null;
        return true;
    }
    return false;
  }

  function handleRequire(node: CommandNode): void {
    const arg = node.args[0];
    if (node.args.length !== 1 || !arg || (arg.type !== 'string' && arg.type !== 'stringlist')) {
      error(node.pos, 'require expects one string or string list of capabilities', 'bad-require');
      return;
    }
    if (node.block) error(node.pos, 'require takes no block', 'unexpected-block');
    let malformed = node.block !== null;
    if (node.tests.length) {
      const first = node.tests[0]!;
      error(
        first.pos,
        registry.tests.has(first.name)
          ? `the require command accepts no tests, but the test '${first.name}' was specified (missing semicolon?)`
          : `missing semicolon after require command (before '${first.name}')`,
        registry.tests.has(first.name) ? 'unexpected-test' : 'missing-semicolon',
      );
      malformed = true;
    }
    const items = arg.type === 'string' ? [arg] : arg.items;
    for (const item of items) {
      const name = item.value;
      const ext = registry.extensions.get(name);
      if (!ext || (ext.testOnly && !s.allowTestOnly) || config.disabled.includes(name)) {
        // A malformed require gets one error; what it names is still enabled when known, so the
        // rest of the script is not flooded with "used without require".
        if (malformed) continue;
        const core = registry.commands.get(name) ?? registry.tests.get(name);
        if (core && core.capability === null) {
          const kind = registry.commands.has(name) ? 'command' : 'test';
          error(
            item.pos,
            `"${name}" is not a capability: the ${name} ${kind} is always available`,
            'not-a-capability',
          );
          continue;
        }
        if (ext && config.disabled.includes(name)) {
          error(item.pos, `capability "${name}" is disabled on this server`, 'capability-disabled');
          continue;
        }
        const enabled = registry.capabilities().filter((c) => !config.disabled.includes(c));
        const hint = suggest(name, enabled);
        error(
          item.pos,
          `unsupported capability "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`,
          'unsupported-capability',
        );
        continue;
      }
      enable(name, node);
    }
  }

  function enable(name: string, node: CommandNode | TestNode): void {
    if (capabilities.has(name)) return;
    capabilities.add(name);
    const ext = registry.extensions.get(name);
    if (!ext) return;
    for (const implied of ext.implies ?? []) enable(implied, node);
    ext.onRequire?.(deps.context(node));
  }

  return { compileControl, handleRequire, enable };
}
