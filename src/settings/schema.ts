import { suggest } from '../compiler/suggest.js';

/**
 * A typed description of settings: what a key accepts, its default and its meaning. One description
 * gives the TypeScript types (`SettingOut`, `SettingIn`), the checker, the defaults and the
 * reference documentation, so the three cannot drift apart.
 */
export interface Setting<Out = unknown, In = Out> {
  /** What is accepted, as messages and the docs say it: "an integer >= 0", "one of a, b". */
  readonly expected: string;
  /** What the setting means (one sentence or two); shown in the reference documentation. */
  readonly doc: string;
  /** The value used when the key is left out; undefined when there is none. */
  readonly default: Out | undefined;
  /** The key may be left out and then has no value at all. */
  readonly optional: boolean;
  /** Named settings of an object. */
  readonly fields?: Readonly<Record<string, Setting<unknown, unknown>>>;
  /** Items of an array, values of a map. */
  readonly of?: Setting<unknown, unknown>;
  /** Appends one "path: problem" line for each way `value` does not fit. */
  check(value: unknown, path: string, problems: string[]): void;
  /** Type-level only: what a user may write. */
  readonly _in?: In;
}

export interface OptionalSetting<Out, In = Out> extends Setting<Out, In> {
  readonly optional: true;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySetting = Setting<any, any>;
export type Fields = Record<string, AnySetting>;
export type SettingOut<S> = S extends Setting<infer O, infer _I> ? O : never;
export type SettingIn<S> = S extends Setting<infer _O, infer I> ? I : never;
type Flat<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<F> = { [K in keyof F]: F[K] extends { readonly optional: true } ? K : never }[keyof F];
type ObjectOut<F extends Fields> = Flat<
  { [K in Exclude<keyof F, OptionalKeys<F>>]: SettingOut<F[K]> } & {
    [K in OptionalKeys<F>]?: SettingOut<F[K]>;
  }
>;
/** Every key may be left out: defaults fill in what is missing. */
type ObjectIn<F extends Fields> = Flat<{ [K in keyof F]?: SettingIn<F[K]> }>;

/** How a value that does not fit is shown: strings quoted, containers by kind. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

interface Common<T> {
  default?: T;
  doc?: string;
}

function leaf<T>(
  expected: string,
  o: Common<T>,
  fits: (v: unknown) => boolean,
  more?: (v: T) => string | null,
): Setting<T> {
  return {
    expected,
    doc: o.doc ?? '',
    default: o.default,
    optional: false,
    check(value, path, problems) {
      if (!fits(value)) problems.push(`${path}: expected ${expected}, got ${describeValue(value)}`);
      else {
        const why = more?.(value as T);
        if (why) problems.push(`${path}: ${why}, got ${describeValue(value)}`);
      }
    },
  };
}

export interface NumberOptions extends Common<number> {
  min?: number;
  max?: number;
  /** Whole numbers only (counts, sizes, seconds). */
  integer?: boolean;
}

export function number(o: NumberOptions = {}): Setting<number> {
  const what = o.integer ? 'an integer' : 'a number';
  const range =
    o.min !== undefined && o.max !== undefined
      ? ` from ${o.min} to ${o.max}`
      : o.min !== undefined
        ? ` >= ${o.min}`
        : o.max !== undefined
          ? ` <= ${o.max}`
          : '';
  return leaf(
    what + range,
    o,
    (v) => typeof v === 'number' && Number.isFinite(v),
    (v) =>
      (o.integer && !Number.isInteger(v)) ||
      (o.min !== undefined && v < o.min) ||
      (o.max !== undefined && v > o.max)
        ? `expected ${what}${range}`
        : null,
  );
}

export interface StringOptions extends Common<string> {
  /** Further check; returns why the value is refused, or null. */
  check?: (s: string) => string | null;
  /** How the accepted strings look, for messages and docs (default "a string"). */
  expected?: string;
}

export function string(o: StringOptions = {}): Setting<string> {
  return leaf(o.expected ?? 'a string', o, (v) => typeof v === 'string', o.check);
}

export function boolean(o: Common<boolean> = {}): Setting<boolean> {
  return leaf('true or false', o, (v) => typeof v === 'boolean');
}

/** One of a few fixed strings. */
export function oneOf<const T extends readonly string[]>(
  values: T,
  o: Common<T[number]> = {},
): Setting<T[number]> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return leaf(expected, o, (v) => typeof v === 'string' && values.includes(v));
}

function container<Out, In>(
  expected: string,
  o: Common<Out>,
  of: AnySetting,
  fits: (v: unknown) => boolean,
  each: (v: unknown, path: string, problems: string[]) => void,
): Setting<Out, In> {
  return {
    expected,
    doc: o.doc ?? '',
    default: o.default,
    optional: false,
    of,
    check(value, path, problems) {
      if (!fits(value)) problems.push(`${path}: expected ${expected}, got ${describeValue(value)}`);
      else each(value, path, problems);
    },
  };
}

export function array<S extends AnySetting>(
  of: S,
  o: Common<SettingOut<S>[]> = {},
): Setting<SettingOut<S>[], SettingIn<S>[]> {
  return container(
    `an array of ${plural(of.expected)}`,
    { default: [], ...o },
    of,
    Array.isArray,
    (v, path, p) => (v as unknown[]).forEach((item, i) => of.check(item, `${path}[${i}]`, p)),
  );
}

/** An object whose keys are the user's own (list names, environment items), each value checked. */
export function map<S extends AnySetting>(
  of: S,
  o: Common<Record<string, SettingOut<S>>> = {},
): Setting<Record<string, SettingOut<S>>, Record<string, SettingIn<S>>> {
  return container(
    `an object of ${plural(of.expected)}`,
    { default: {}, ...o },
    of,
    isPlainObject,
    (v, path, p) => {
      for (const [k, item] of Object.entries(v as object)) of.check(item, `${path}.${keyPath(k)}`, p);
    },
  );
}

/** Named settings; unknown keys are refused with the closest known name. */
export function object<F extends Fields>(
  fields: F,
  o: { doc?: string } = {},
): Setting<ObjectOut<F>, ObjectIn<F>> {
  const defaults: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(fields)) if (s.default !== undefined) defaults[k] = s.default;
  return {
    expected: 'an object',
    doc: o.doc ?? '',
    default: defaults as ObjectOut<F>,
    optional: false,
    fields,
    check(value, path, problems) {
      if (!isPlainObject(value)) {
        problems.push(`${path}: expected an object, got ${describeValue(value)}`);
        return;
      }
      for (const [k, field] of Object.entries(fields))
        if (field.default === undefined && !field.optional && !Object.hasOwn(value, k))
          problems.push(`${path}.${keyPath(k)}: missing (expected ${field.expected})`);
      for (const [k, v] of Object.entries(value)) {
        const field = Object.hasOwn(fields, k) ? fields[k] : undefined;
        if (field) {
          field.check(v, `${path}.${k}`, problems);
          continue;
        }
        const near = suggest(k, Object.keys(fields));
        problems.push(`${path}.${keyPath(k)}: unknown setting${near ? `; did you mean ${near}?` : ''}`);
      }
    },
  };
}

/** A key that may be left out and has no default. */
export function optional<O, I>(s: Setting<O, I>): OptionalSetting<O, I> {
  return { ...s, default: undefined, optional: true, check: s.check };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a value; returns every problem, in document order. */
export function checkSetting(s: Setting<unknown, unknown>, value: unknown, path: string): string[] {
  const problems: string[] = [];
  s.check(value, path, problems);
  return problems;
}

function keyPath(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k);
}

/** "an integer >= 0" → "integers >= 0", "a header field name" → "header field names". */
function plural(expected: string): string {
  const m = /^an? (.+?)( from | >= | <= | \(| of |$)(.*)$/.exec(expected);
  if (!m) return expected;
  return `${m[1]}s${m[2]}${m[3]}`;
}
