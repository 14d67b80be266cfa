import type { Position } from '../syntax/ast.js';
import type { Diagnostic } from '../diagnostics.js';
import type { EngineConfig } from '../extensions/types.js';
import type { Registry } from './registry.js';
import type { StateBag } from './state.js';

/** What the parts of one compile share: the registry, the capabilities so far, and the diagnostics. */
export interface CompileState {
  readonly registry: Registry;
  readonly config: EngineConfig;
  readonly allowTestOnly: boolean;
  readonly diagnostics: Diagnostic[];
  /** Capabilities enabled so far; they only grow, so their count tells whether they changed. */
  readonly capabilities: Set<string>;
  readonly state: StateBag;
  /** Names of the enclosing commands and tests while compiling; one array, pushed and popped. */
  readonly stack: string[];
  /** Unknown names (commands, tests, a command's tags) are reported where they first appear only. */
  readonly unknownSeen: Set<string>;
  has(cap: string): boolean;
  error(pos: Position, message: string, code: string): void;
  warning(pos: Position, message: string, code: string): void;
}

export function createCompileState(
  registry: Registry,
  config: EngineConfig,
  allowTestOnly: boolean,
  state: StateBag,
): CompileState {
  const diagnostics: Diagnostic[] = [];
  const capabilities = new Set<string>();
  return {
    registry,
    config,
    allowTestOnly,
    diagnostics,
    capabilities,
    state,
    stack: [],
    unknownSeen: new Set(),
    has: (cap) => capabilities.has(cap),
    error: (pos, message, code) =>
      diagnostics.push({ severity: 'error', message, line: pos.line, column: pos.column, code }),
    warning: (pos, message, code) =>
      diagnostics.push({ severity: 'warning', message, line: pos.line, column: pos.column, code }),
  };
}
