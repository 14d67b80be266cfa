export * from './ast.js';
export { parse, parseScript, DEFAULT_MAX_ERRORS, DEFAULT_MAX_NESTING, DEFAULT_MAX_SIZE } from './parse.js';
export type { ParseOptions, ParseResult } from './parse.js';
