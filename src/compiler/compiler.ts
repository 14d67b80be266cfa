import type { CommandNode, ScriptNode, TestNode } from '../syntax/ast.js';
import type { Diagnostic } from '../diagnostics.js';
import type { CompileContext, EngineConfig, RunContext } from '../extensions/types.js';
import type { Registry } from './registry.js';
import type { CompiledCommand, CompiledTest, Program } from './program.js';
import { createCompileState } from './compile-state.js';
import { createStringCompiler } from './compile-strings.js';
import { createAttachmentCompiler } from './attached.js';
import { createControlCompiler, newBlock, type BlockState } from './control.js';
import { createSignatureChecker, CONTROL_NAMES, isControl } from './signature.js';
import { StateBag } from './state.js';
import { createTagResolver, whatOf } from './tags.js';
import { suggest } from './suggest.js';
import { parse } from '../syntax/index.js';
import { ListStack } from '../syntax/lists.js';

/** How diagnostics name a run context. */
const CONTEXT_NAMES: Record<RunContext, string> = {
  delivery: 'a delivery',
  imap: 'a script run by an IMAP event',
};

/** The nested tests of every node that has none (nothing writes to the lists given to compile). */
const NO_TESTS = Object.freeze([]) as unknown as CompiledTest[];

export interface CompileOptions {
  registry: Registry;
  config: EngineConfig;
  /** Capabilities allowed in addition to the normal ones (the test harness's). */
  allowTestOnly?: boolean;
  /** Loads the scripts `include` names (RFC 6609); without it every include fails to compile. */
  loadScript?: (name: string, location: 'personal' | 'global') => string | null;
  /** Initial compile state (include hands its bookkeeping to the scripts it compiles). */
  state?: Map<string, unknown>;
  /** Where the script will run (default delivery): commands that make no sense there are refused. */
  context?: RunContext;
}

/**
 * Parses and compiles a script: `syntax` holds the syntax errors, and `compiled` is null when there
 * are any. Each top-level command is compiled as soon as it is read, while its syntax tree is still
 * fresh in memory; with a script loader (include may load and compile scripts while compiling) the
 * script is read whole first, so that a script with syntax errors loads nothing.
 */
export function compileSource(
  source: string,
  options: CompileOptions,
): { syntax: Diagnostic[]; compiled: CompileOutput | null } {
  const maxNesting = options.config.maxNesting;
  if (options.loadScript) {
    const parsed = parse(source, { maxNesting });
    return {
      syntax: parsed.diagnostics,
      compiled: parsed.diagnostics.length ? null : compileAst(parsed.ast, options),
    };
  }
  const compiler = createCompiler(options);
  // A compile that throws stops compiling; the error is thrown once the script is known to be
  // free of syntax errors, as it would be had the whole script been parsed first.
  let failed = false;
  let failure: unknown;
  const onCommand = (command: CommandNode): void => {
    if (failed) return;
    try {
      compiler.add(command);
    } catch (e) {
      failed = true;
      failure = e;
    }
  };
  const { diagnostics } = parse(source, { maxNesting, onCommand });
  if (diagnostics.length) return { syntax: diagnostics, compiled: null };
  if (failed) throw failure;
  return { syntax: diagnostics, compiled: compiler.finish() };
}

/**
 * Validates a parsed script against the registry and builds the compiled program. Problems are
 * collected, not thrown, so a user sees every error of a script at once.
 */
export function compileAst(ast: ScriptNode, options: CompileOptions): CompileOutput {
  const compiler = createCompiler(options);
  for (let k = 0; k < ast.commands.length; k++) compiler.add(ast.commands[k]!);
  return compiler.finish();
}

export interface CompileOutput {
  program: Program;
  diagnostics: Diagnostic[];
}

/** A compile fed one top-level command at a time, in script order. */
export interface ScriptCompiler {
  add(command: CommandNode): void;
  /** The program of the commands added, and the problems found in them (once, at the end). */
  finish(): CompileOutput;
}

/** Starts a compile; see compileAst and compileSource for the two ways of feeding it. */
export function createCompiler(options: CompileOptions): ScriptCompiler {
  const { registry, config } = options;
  const context = options.context ?? 'delivery';
  const s = createCompileState(registry, config, options.allowTestOnly ?? false, new StateBag(options.state));
  const { capabilities, stack, has, error, unknownSeen } = s;

  // One context serves every node: only `node` changes, set before each use.
  const cx: CompileContext & { node: CommandNode | TestNode } = {
    has,
    error: (pos, message, code = 'bad-argument') => error(pos, message, code),
    warning: (pos, message, code = 'questionable-argument') => s.warning(pos, message, code),
    string: (arg) => strings.string(arg),
    stringList: (arg) => strings.stringList(arg),
    keys: (arg, spec) => strings.keys(arg, spec),
    fields: (args) => attached.fields(args, cx),
    actionFields: (args) => attached.actionFields(args, cx),
    state: s.state,
    node: null as unknown as CommandNode,
    ancestors: stack,
    config,
    capabilities,
    enable: (cap) => {
      const ext = registry.extensions.get(cap);
      if (!ext || (ext.testOnly && !options.allowTestOnly) || config.disabled.includes(cap)) return false;
      control.enable(cap, cx.node);
      return true;
    },
    extension: (cap) => registry.extensions.get(cap),
    loadScript: options.loadScript,
    compileScript(source, seed) {
      const parsed = parse(source, { maxNesting: config.maxNesting });
      if (parsed.diagnostics.some((d) => d.severity === 'error')) {
        return { program: null, diagnostics: parsed.diagnostics };
      }
      const compiled = compileAst(parsed.ast, { ...options, state: seed });
      const all = [...parsed.diagnostics, ...compiled.diagnostics];
      return {
        program: all.some((d) => d.severity === 'error') ? null : compiled.program,
        diagnostics: all,
      };
    },
  };

  function makeContext(node: CommandNode | TestNode): CompileContext {
    cx.node = node;
    return cx;
  }

  const strings = createStringCompiler(s, () => cx);
  const attached = createAttachmentCompiler(registry);
  const signature = createSignatureChecker(s, createTagResolver(s), strings);
  const { parseArgs, checkTests } = signature;
  // Compiled lists are gathered on these stacks and copied out at their exact size (see parser.ts).
  const testStack = new ListStack<CompiledTest>();
  const commandStack = new ListStack<CompiledCommand>();
  const control = createControlCompiler(s, commandStack, { compileTest, compileBody, context: makeContext });

  function compileTest(node: TestNode): CompiledTest | null {
    if (stack.length > config.maxNesting) {
      error(node.pos, `tests nested too deeply (limit ${config.maxNesting})`, 'nesting-too-deep');
      return null;
    }
    const owned = registry.tests.get(node.name);
    if (!owned) {
      if (registry.commands.has(node.name) || isControl(node.name)) {
        error(node.pos, `'${node.name}' is a command, not a test`, 'command-as-test');
      } else if (!unknownSeen.has(`test\0${node.name}`)) {
        unknownSeen.add(`test\0${node.name}`);
        const hint = suggest(node.name, registry.tests.keys());
        error(
          node.pos,
          `unknown test '${node.name}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
          'unknown-test',
        );
      }
      return null;
    }
    if (owned.capability && !has(owned.capability)) {
      error(node.pos, `${node.name} test used without require "${owned.capability}"`, 'missing-require');
      return null;
    }
    const args = parseArgs(node, owned.def);
    const testsOk = checkTests(node, owned.def);
    if (!testsOk && (owned.def.tests ?? 'none') === 'none') return null;
    const inner = compileTests(node);
    if (!args || !testsOk || inner === null) return null;
    const data = owned.def.compile
      ? owned.def.compile(args, makeContext(node), inner)
      : { args, tests: inner };
    const def = owned.def;
    return { def, data, pos: node.pos, run: def.bind?.(data) ?? ((rt) => def.test(data, rt)) };
  }

  /** The nested tests of a node, or null when one of them failed to compile. */
  function compileTests(node: CommandNode | TestNode): CompiledTest[] | null {
    const tests = node.tests;
    if (tests.length === 0) return NO_TESTS;
    const from = testStack.top;
    stack.push(node.name);
    try {
      for (let k = 0; k < tests.length; k++) {
        const c = compileTest(tests[k]!);
        if (c) testStack.push(c);
      }
    } finally {
      stack.pop();
    }
    const complete = testStack.top - from === tests.length;
    const inner = testStack.take(from);
    return complete ? inner : null;
  }

  /** The commands of a block, compiled (the top level goes through ScriptCompiler.add). */
  function compileBody(name: string, nodes: CommandNode[]): CompiledCommand[] {
    stack.push(name);
    const from = commandStack.top;
    const block = newBlock(false);
    try {
      for (let k = 0; k < nodes.length; k++) compileCommand(nodes[k]!, block);
      return commandStack.take(from);
    } finally {
      commandStack.top = from;
      stack.pop();
    }
  }

  /** Compiles one command of a block onto commandStack. */
  function compileCommand(node: CommandNode, b: BlockState): void {
    const wasIf = b.lastWasIf;
    b.lastWasIf = false;
    if (node.name === 'require') {
      if (!b.requiresAllowed) {
        error(
          node.pos,
          b.topLevel
            ? 'require command must come before any other command'
            : 'require command can only be used at the top level',
          b.topLevel ? 'require-not-first' : 'require-not-top-level',
        );
        return;
      }
      control.handleRequire(node);
      return;
    }
    b.requiresAllowed = false;
    if (stack.length >= config.maxNesting) {
      error(node.pos, `blocks nested too deeply (limit ${config.maxNesting})`, 'nesting-too-deep');
      return;
    }
    if (control.compileControl(node, b, wasIf)) return;
    b.lastIf = null;
    const owned = registry.commands.get(node.name);
    if (!owned) {
      if (registry.tests.has(node.name)) {
        error(
          node.pos,
          `cannot use test '${node.name}' as a command (a test belongs in the condition of if or elsif)`,
          'test-as-command',
        );
      } else if (!unknownSeen.has(`command\0${node.name}`)) {
        unknownSeen.add(`command\0${node.name}`);
        const hint = suggest(node.name, [...registry.commands.keys(), ...CONTROL_NAMES]);
        error(
          node.pos,
          `unknown command '${node.name}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
          'unknown-command',
        );
      }
      return;
    }
    if (owned.capability && !has(owned.capability)) {
      error(node.pos, `${node.name} used without require "${owned.capability}"`, 'missing-require');
      return;
    }
    const def = owned.def;
    if (def.contexts && !def.contexts.includes(context)) {
      error(
        node.pos,
        `${node.name} cannot be used in ${CONTEXT_NAMES[context]} (RFC 6785)`,
        'not-in-context',
      );
      return;
    }
    const args = parseArgs(node, def);
    const testsOk = checkTests(node, def);
    const tests = testsOk || def.tests ? compileTests(node) : null;
    let block: CompiledCommand[] | null = null;
    if (def.block) {
      if (node.block === null)
        error(node.pos, `${whatOf(def, node)} needs a block in braces`, 'missing-block');
      else block = compileBody(node.name, node.block);
    } else if (node.block !== null) {
      error(node.pos, `${whatOf(def, node)} takes no block (missing semicolon?)`, 'unexpected-block');
    }
    if (!args || !testsOk || tests === null) return;
    const data = def.compile ? def.compile(args, makeContext(node), tests) : { args, tests };
    commandStack.push({ kind: 'action', def, data, block, pos: node.pos });
  }

  const top = newBlock(true);
  return {
    add: (node) => compileCommand(node, top),
    finish: () => ({
      program: programOf(commandStack.take(0), capabilities, registry, context),
      diagnostics: s.diagnostics,
    }),
  };
}

/** The program of the compiled commands, with what its run needs to know of its capabilities. */
function programOf(
  commands: CompiledCommand[],
  capabilities: Set<string>,
  registry: Registry,
  context: RunContext,
): Program {
  let captureMatches = false;
  for (const cap of capabilities) if (registry.extensions.get(cap)?.readsMatches) captureMatches = true;
  return { commands, capabilities, captureMatches, context };
}
