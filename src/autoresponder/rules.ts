/**
 * A script cut into the parts an editor works on: the `require` commands, and the top-level rules
 * that hold a vacation or a forward, each with its span in the source (marker comment included), so
 * that it can be replaced while every other byte stays where it is.
 */
import { parseScript, type CommandNode, type Comment, type Diagnostic, type TestNode } from '../index.js';
import { isListGuard, markerOf, scriptDialect, type Dialect } from './dialects/markers.js';

export type RuleKind = 'vacation' | 'forward';

export interface Rule {
  kind: RuleKind;
  /** The top-level commands the rule is made of (one `if`, or a run of bare commands). */
  commands: CommandNode[];
  /** Where the rule starts (its marker comment, when it has one) and ends in the source. */
  start: number;
  end: number;
  name?: string;
  dialect: Dialect;
  enabled: boolean;
  /** The rule's condition as a flat list (the members of a top-level allof); empty for `true`. */
  tests: TestNode[];
  /** Source text of a test (tests of a disabled rule come from its comment). */
  text(node: TestNode): string;
  /** For an `if` rule: the span of its condition, as written, for turning it on or off in place. */
  head?: { start: number; end: number; condition: string };
  /** Comments inside the rule's block. */
  comments: Comment[];
}

export interface ScriptParts {
  source: string;
  /** Offset just past the line of the last top-level `require`, or null when there is none. */
  afterRequires: number | null;
  requires: Set<string>;
  rules: Rule[];
  /** Vacation or redirect commands that are not part of a rule tamis can edit. */
  stray: CommandNode[];
  commands: CommandNode[];
}

export type PartsResult = { ok: true; parts: ScriptParts } | { ok: false; errors: Diagnostic[] };

function lineEnd(source: string, offset: number): number {
  const lf = source.indexOf('\n', offset);
  return lf < 0 ? source.length : lf + 1;
}

/** The condition an `if` tests, unwrapped from a top-level allof. */
function flatten(test: TestNode | undefined): TestNode[] {
  if (!test || (test.name === 'true' && test.args.length === 0)) return [];
  return test.name === 'allof' ? test.tests : [test];
}

/** A disabled rule: `if false # <condition>` with the condition on the comment (Roundcube's way). */
function disabledCondition(cmd: CommandNode, comments: Comment[]): Comment | null {
  const t = cmd.tests[0];
  if (cmd.tests.length !== 1 || t!.name !== 'false' || t!.args.length || cmd.blockStart === undefined)
    return null;
  return comments.find((c) => c.kind === 'hash' && c.start >= t!.end! && c.end <= cmd.blockStart!) ?? null;
}

function isVacationBlock(cmd: CommandNode): boolean {
  return cmd.name === 'if' && !!cmd.block && cmd.block[0]?.name === 'vacation';
}

function isForwardBlock(cmd: CommandNode, tests: TestNode[]): boolean {
  if (cmd.name !== 'if' || !cmd.block?.length || tests.length) return false;
  return (
    cmd.block[0]!.name === 'redirect' && cmd.block.every((c) => ['redirect', 'keep', 'stop'].includes(c.name))
  );
}

function containsCommand(cmds: CommandNode[] | null, name: string): CommandNode | null {
  for (const c of cmds ?? []) {
    if (c.name === name) return c;
    const inner = containsCommand(c.block, name);
    if (inner) return inner;
  }
  return null;
}

/** Parses a script and finds its vacation and forward rules. Syntax errors come back as such. */
export function scriptParts(source: string): PartsResult {
  const { ast, diagnostics } = parseScript(source, { spans: true, comments: true });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return { ok: false, errors };
  const comments = ast.comments ?? [];
  const whole = scriptDialect(comments);
  const ingo = whole === 'ingo';
  const parts: ScriptParts = {
    source,
    afterRequires: null,
    requires: new Set(),
    rules: [],
    stray: [],
    commands: ast.commands,
  };
  const cmds = ast.commands;
  let previousEnd = 0;
  for (let i = 0; i < cmds.length; i++) {
    const cmd = cmds[i]!;
    const before = comments.filter((c) => c.start >= previousEnd && c.end <= cmd.pos.offset);
    const last = before.at(-1);
    const marker = last && !/\S/.test(source.slice(last.end, cmd.pos.offset)) ? markerOf(last, ingo) : null;
    const start = marker ? last!.start : cmd.pos.offset;
    let base: { start: number; dialect: Dialect; name?: string } = {
      start,
      dialect: marker?.dialect ?? whole ?? 'plain',
      ...(marker?.name !== undefined ? { name: marker.name } : {}),
    };
    previousEnd = cmd.end!;
    if (cmd.name === 'require') {
      for (const a of cmd.args) {
        for (const s of a.type === 'string' ? [a] : a.type === 'stringlist' ? a.items : [])
          parts.requires.add(s.value.toLowerCase());
      }
      parts.afterRequires = lineEnd(source, cmd.end!);
      continue;
    }
    const chained = cmds[i + 1] && ['elsif', 'else'].includes(cmds[i + 1]!.name);
    const inner = (cmd.block ?? []).filter((c) => c.name !== 'vacation' && c.name !== 'redirect');
    if (cmd.name === 'if' && !chained && cmd.tests.length === 1 && cmd.block) {
      const off = disabledCondition(cmd, comments);
      let tests = flatten(cmd.tests[0]);
      let text = (n: TestNode) => source.slice(n.pos.offset, n.end);
      if (off) {
        const snippet = `if ${off.text.replace(/\r$/, '')} {}`;
        const parsed = parseScript(snippet, { spans: true });
        const t = parsed.ast.commands[0]?.tests[0];
        if (parsed.diagnostics.some((d) => d.severity === 'error') || !t) tests = [];
        else {
          tests = flatten(t);
          text = (n: TestNode) => snippet.slice(n.pos.offset, n.end);
        }
      }
      const condStart = cmd.tests[0]!.pos.offset;
      // A hash comment's end includes the CR of a CRLF; the condition stops before it.
      const condEnd = off ? off.start + 1 + off.text.replace(/\r$/, '').length : cmd.tests[0]!.end!;
      const condition = off ? off.text.replace(/\r$/, '').trim() : source.slice(condStart, condEnd);
      const head = /[\r\n]/.test(condition) ? undefined : { start: condStart, end: condEnd, condition };
      const ruleComments = comments.filter((c) => c.start > cmd.blockStart! && c.end <= cmd.blockEnd!);
      // SOGo writes no markers, but its list guards give it away.
      if (base.dialect === 'plain' && tests.some((t) => isListGuard(text(t))))
        base = { ...base, dialect: 'sogo' };
      const rule = {
        ...base,
        commands: [cmd],
        end: cmd.end!,
        enabled: !off,
        tests,
        text,
        head,
        comments: ruleComments,
      };
      if (isVacationBlock(cmd)) {
        parts.rules.push({ kind: 'vacation', ...rule });
        if (containsCommand(inner, 'vacation')) parts.stray.push(containsCommand(inner, 'vacation')!);
        continue;
      }
      if (isForwardBlock(cmd, off ? tests : flatten(cmd.tests[0]))) {
        parts.rules.push({ kind: 'forward', ...rule });
        continue;
      }
    }
    if (cmd.name === 'vacation') {
      // SOGo and hand-written scripts: a bare vacation, then what happens to the message.
      const run = [cmd];
      while (cmds[i + 1] && ['discard', 'keep', 'redirect', 'stop'].includes(cmds[i + 1]!.name))
        run.push(cmds[++i]!);
      previousEnd = run.at(-1)!.end!;
      parts.rules.push({
        kind: 'vacation',
        ...base,
        commands: run,
        end: previousEnd,
        enabled: true,
        tests: [],
        text: () => '',
        comments: [],
      });
      continue;
    }
    if (cmd.name === 'redirect') {
      // SOGo writes forwarding as bare redirects, and `keep;` for a local copy.
      const run = [cmd];
      while (cmds[i + 1] && ['redirect', 'keep', 'stop'].includes(cmds[i + 1]!.name)) run.push(cmds[++i]!);
      previousEnd = run.at(-1)!.end!;
      parts.rules.push({
        kind: 'forward',
        ...base,
        commands: run,
        end: previousEnd,
        enabled: true,
        tests: [],
        text: () => '',
        comments: [],
      });
      continue;
    }
    const nested = containsCommand(cmd.block, 'vacation');
    if (nested) parts.stray.push(nested);
  }
  return { ok: true, parts };
}
