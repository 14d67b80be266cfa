import type { Position } from '../syntax/ast.js';
import type { KeyMatcher, MatchSpec } from '../extensions/types.js';
import type { Action } from './result.js';
import type { Runtime } from './runtime.js';
import { chargeComparisons } from './meter.js';

/**
 * What a run reports to a trace sink (`RunOptions.trace`, `tamis test --trace`). Every event
 * carries the script position it belongs to and its nesting depth: tests inside anyof/allof/not
 * and commands inside a block are one deeper than what holds them. Details of a test (values,
 * comparisons, scores) come between its `test-start` and its `test` event.
 */
export type TraceEvent =
  | TraceTestStart
  | TraceTestResult
  | TraceValues
  | TraceMatch
  | TraceExists
  | TraceSize
  | TraceScore
  | TraceAssign
  | TraceAction
  | TraceInclude
  | TraceReturn
  | TraceStop
  | TraceError;

interface TracePlace {
  /** Where in the script: the test or command, or for details the test or command they belong to. */
  pos: Position;
  /** 0 for top-level commands; one more per enclosing block or test. */
  depth: number;
}

/** A test is about to be evaluated. */
export interface TraceTestStart extends TracePlace {
  kind: 'test-start';
  name: string;
}

/** A test's outcome (after `not` is applied for `not` itself). */
export interface TraceTestResult extends TracePlace {
  kind: 'test';
  name: string;
  result: boolean;
}

/** Values a test extracted from the message or envelope, before they are matched. */
export interface TraceValues extends TracePlace {
  kind: 'values';
  /** Where they come from: `header`, `address`, `envelope`, `string`, `body`, ... */
  source: string;
  /** The header name, envelope part or other item read, when there is one. */
  name?: string;
  /** The address part (`all`, `localpart`, `domain`, `user`, `detail`) for address-like tests. */
  part?: string;
  values: string[];
}

/** One value compared with one key. */
export interface TraceComparison {
  value: string;
  key: string;
  matched: boolean;
}

/** A match of values against keys: the comparisons in the order made (the first success ends it). */
export interface TraceMatch extends TracePlace {
  kind: 'match';
  /** `is`, `contains`, `matches`, `regex`, `value`, `count`, ... */
  matchType: string;
  /** The relation of `:value` and `:count` (`gt`, `ge`, ...). */
  relation?: string;
  comparator: string;
  values: string[];
  keys: string[];
  /** Empty for match types that judge the whole list at once (`:count`). */
  comparisons: TraceComparison[];
  /** What `:count` compared with the keys: the number of values. */
  count?: number;
  /** ${0}, ${1}... as the successful match set them. */
  matchValues?: string[];
  result: boolean;
}

/** One header name of an `exists` test. */
export interface TraceExists extends TracePlace {
  kind: 'exists';
  header: string;
  present: boolean;
}

/** The `size` test: the message size against the limit. */
export interface TraceSize extends TracePlace {
  kind: 'size';
  size: number;
  comparison: 'over' | 'under';
  limit: number;
}

/** The score a spamtest or virustest read (RFC 5235). */
export interface TraceScore extends TracePlace {
  kind: 'score';
  test: 'spamtest' | 'virustest';
  /** The header configured to hold the status, and the field read: its first instance. */
  header: string;
  instance: number;
  /** The field's text, or null when the header is absent. */
  raw: string | null;
  /** The status as a fraction of the maximum, or null when the message counts as not tested. */
  ratio: number | null;
  /** The value the test matches: "0" for not tested, else 1..10 (1..5 for virustest) or 0..100. */
  value: string;
}

/** A variable was assigned (`set`, and other commands that assign). */
export interface TraceAssign extends TracePlace {
  kind: 'set';
  /** The variable's name, `namespace.name` for a namespaced one. */
  name: string;
  value: string;
}

/** A command ran; `actions` are those it added to the result (none for `set`, `addflag`...). */
export interface TraceAction extends TracePlace {
  kind: 'action';
  name: string;
  actions: Action[];
}

/** An `include` starts running another script. */
export interface TraceInclude extends TracePlace {
  kind: 'include';
  script: string;
  location: 'personal' | 'global';
  /** False when `:once` skipped it or an `:optional` script is missing. */
  ran: boolean;
}

/** `return` ends an included script (or, at the top level, the run). */
export interface TraceReturn extends TracePlace {
  kind: 'return';
}

export interface TraceStop extends TracePlace {
  kind: 'stop';
}

/** The run ended with an error (the implicit keep then stands). */
export interface TraceError extends TracePlace {
  kind: 'error';
  message: string;
}

type WithoutPlace<T> = T extends TraceEvent ? Omit<T, 'pos' | 'depth'> & { pos?: Position } : never;

/** What commands and tests report: the runtime adds the depth, and the position when not given. */
export type TraceInput = WithoutPlace<TraceEvent>;

/**
 * The match Runtime.match does, reporting each comparison: the same matchers called in the same
 * order, so results and match variables are those of an untraced run.
 */
export function traceMatch(
  rt: Runtime,
  values: string[],
  keys: string[],
  matchers: KeyMatcher[],
  spec: MatchSpec,
): boolean {
  const before = rt.matchValues;
  const comparisons: TraceComparison[] = [];
  let result = false;
  if (spec.type.matchAll !== undefined) {
    result = spec.type.matchAll(values, keys, spec, rt);
  } else {
    search: for (const value of values) {
      // Charged as an untraced run charges, so a traced run stops at the same CPU limit.
      const charged = chargeComparisons(rt.meter, value, matchers.length);
      for (let j = 0; j < matchers.length; j++) {
        if (!charged) rt.meter.charge(value.length);
        const matched = matchers[j]!(value, rt);
        comparisons.push({ value, key: keys[j]!, matched });
        if (matched) {
          result = true;
          break search;
        }
      }
    }
  }
  rt.trace?.({
    kind: 'match',
    matchType: spec.type.name,
    ...(spec.param !== undefined ? { relation: spec.param } : {}),
    comparator: spec.comparator.name,
    values,
    keys,
    comparisons,
    ...(spec.type.name === 'count' ? { count: values.length } : {}),
    ...(rt.matchValues !== before ? { matchValues: rt.matchValues } : {}),
    result,
  });
  return result;
}
