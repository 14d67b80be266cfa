/** Where a node starts in the script text: 1-based line and column, 0-based offset. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface StringArgument {
  type: 'string';
  /** Value after escape processing (quoted) or dot-unstuffing (multi-line). */
  value: string;
  /** True for `text:` strings. */
  multiline: boolean;
  pos: Position;
}

export interface StringListArgument {
  type: 'stringlist';
  items: StringArgument[];
  pos: Position;
}

export interface NumberArgument {
  type: 'number';
  /** Value with the K/M/G quantifier applied. */
  value: number;
  pos: Position;
}

export interface TagArgument {
  type: 'tag';
  /** Lower-cased, without the leading colon. */
  name: string;
  pos: Position;
}

export type Argument = StringArgument | StringListArgument | NumberArgument | TagArgument;

export interface TestNode {
  type: 'test';
  /** Lower-cased identifier. */
  name: string;
  args: Argument[];
  /** Nested tests: one for `not`, a list for `allof`/`anyof`. */
  tests: TestNode[];
  /** True when the nested tests were written as a parenthesised test list. */
  testList: boolean;
  pos: Position;
}

export interface CommandNode {
  type: 'command';
  /** Lower-cased identifier. */
  name: string;
  args: Argument[];
  tests: TestNode[];
  testList: boolean;
  /** Commands in `{ ... }`, or null when the command ends with `;`. */
  block: CommandNode[] | null;
  pos: Position;
}

export interface ScriptNode {
  type: 'script';
  commands: CommandNode[];
}
