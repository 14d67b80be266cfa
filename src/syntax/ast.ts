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
  /** Offset just past the node's last character; set when parsed with `spans`. */
  end?: number;
}

export interface StringListArgument {
  type: 'stringlist';
  items: StringArgument[];
  pos: Position;
  /** Offset just past the node's last character; set when parsed with `spans`. */
  end?: number;
}

export interface NumberArgument {
  type: 'number';
  /** Value with the K/M/G quantifier applied. */
  value: number;
  pos: Position;
  /** Offset just past the node's last character; set when parsed with `spans`. */
  end?: number;
}

export interface TagArgument {
  type: 'tag';
  /** Lower-cased, without the leading colon. */
  name: string;
  pos: Position;
  /** Offset just past the node's last character; set when parsed with `spans`. */
  end?: number;
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
  /** Offset just past the node's last character; set when parsed with `spans`. */
  end?: number;
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
  /** Offsets of the block's `{` and just past its `}`; set when parsed with `spans`. */
  blockStart?: number;
  blockEnd?: number;
  pos: Position;
  /** Offset just past the node's last character; set when parsed with `spans`. */
  end?: number;
}

export interface ScriptNode {
  type: 'script';
  commands: CommandNode[];
  /** Comments in script order; set when parsed with `comments`. */
  comments?: Comment[];
}

/** A comment as written: `# ...` (hash) or `/* ... *\/` (bracket). */
export interface Comment {
  kind: 'hash' | 'bracket';
  /** The text between the markers (a hash comment's without its line break). */
  text: string;
  /** Offset of the `#` or `/*`. */
  start: number;
  /** Offset just past the comment: past the `*\/`; for a hash comment, at its LF (a CR before it belongs to the comment). */
  end: number;
  /** Line of the comment's start (1-based). */
  line: number;
}
