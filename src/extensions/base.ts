import type { Argument } from '../syntax/ast.js';
import type {
  CompiledKeys,
  CompileContext,
  ActionFields,
  Extension,
  FieldSource,
  MatchSpec,
  ParsedArgs,
  TestDef,
} from './types.js';
import type { CompiledTest } from '../compiler/program.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import type { KeepAction } from '../runtime/result.js';
import { evaluate } from '../runtime/interpreter.js';
import { asciiCasemap, octet, unicodeCasemap } from '../runtime/comparators.js';
import { constantMatch, contains, is, matches } from '../runtime/match-types.js';
import { isFieldName, isValidAddress, parseAddressList, singleAddress } from '../message/index.js';
import { defineCommand, defineTest } from './define.js';

/** Warns about constant header names that can never match (a field name cannot hold ':' or spaces). */
export function headerNames(arg: Argument, cx: CompileContext): SieveString[] {
  const names = cx.stringList(arg);
  for (const n of names) {
    if (typeof n === 'string' && !isFieldName(n)) {
      cx.warning(arg.pos, `invalid header name "${n}" never matches`);
    }
  }
  return names;
}

interface MatchData {
  spec: MatchSpec;
  keys: CompiledKeys;
}

export interface HeaderTestData extends MatchData {
  names: SieveString[];
  /** Where the fields are read, as attached tags make it; null or absent for the message's own. */
  fields?: FieldSource | null;
}

const header = defineTest<HeaderTestData>({
  name: 'header',
  matching: true,
  positional: ['stringlist', 'stringlist'],
  positionalNames: ['header names', 'key list'],
  compile: (args, cx) => ({
    spec: args.match!,
    names: headerNames(args.positional[0]!, cx),
    keys: cx.keys(args.positional[1]!, args.match!),
    fields: cx.fields(args),
  }),
  test(d, rt) {
    const source = d.fields;
    // The common case, one constant field name: match the view's cached values as they are.
    if (d.names.length === 1 && typeof d.names[0] === 'string' && !source) {
      const values = rt.message.header(d.names[0]);
      rt.trace?.({ kind: 'values', source: 'header', name: d.names[0], values });
      return rt.match(values, d.keys, d.spec);
    }
    const values: string[] = [];
    for (const n of rt.expandList(d.names)) {
      const found = source ? source.values(n, rt) : rt.message.header(n);
      rt.trace?.({ kind: 'values', source: 'header', name: n, values: found });
      values.push(...found);
    }
    return rt.match(values, d.keys, d.spec);
  },
  bind(d) {
    const one = oneConstantField(d);
    if (!one) return null;
    const { name, match } = one;
    return (rt) => match(rt.message.header(name), rt);
  },
});

/**
 * What `header` and `address` bind: one constant name of the message's own fields, with
 * constant keys (their match made ready); null for any other test.
 */
function oneConstantField(
  d: HeaderTestData,
): { name: string; match: (values: string[], rt: Runtime) => boolean } | null {
  const name = d.names[0];
  if (d.names.length !== 1 || typeof name !== 'string' || d.fields || !d.keys.constant) return null;
  return { name, match: constantMatch(d.keys, d.spec) };
}

/**
 * Fields the address test accepts (RFC 5228 §5.1: only fields that hold addresses; the envelope
 * test is for envelope addresses). The list is Pigeonhole's.
 */
const ADDRESS_FIELDS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'sender',
  'resent-from',
  'resent-to',
  'reply-to',
  'resent-reply-to',
  'resent-sender',
  'resent-cc',
  'resent-bcc',
  'for-approval',
  'for-handling',
  'for-comment',
  'apparently-to',
  'errors-to',
  'delivered-to',
  'return-receipt-to',
  'x-admin',
  'read-receipt-to',
  'x-confirm-reading-to',
  'return-receipt-requested',
  'registered-mail-reply-requested-by',
  'mail-followup-to',
  'mail-reply-to',
  'abuse-reports-to',
  'x-complaints-to',
  'x-report-abuse-to',
  'x-beenthere',
  'x-original-from',
  'x-original-to',
]);

/** Header names for the address test: the first constant one that holds no addresses is an error. */
export function addressFields(arg: Argument, cx: CompileContext): SieveString[] {
  const names = headerNames(arg, cx);
  const bad = names.find((n): n is string => typeof n === 'string' && !ADDRESS_FIELDS.has(n.toLowerCase()));
  if (bad !== undefined) {
    cx.error(
      arg.pos,
      `header '${bad}' is not allowed for the address test: it holds no addresses (use the header test)`,
    );
  }
  return names;
}

export interface AddressTestData extends HeaderTestData {
  part: NonNullable<ParsedArgs['addressPart']>;
}

const address: TestDef = defineTest<AddressTestData>({
  name: 'address',
  matching: true,
  addressPart: true,
  positional: ['stringlist', 'stringlist'],
  positionalNames: ['header list', 'key list'],
  compile: (args, cx) => ({
    spec: args.match!,
    part: args.addressPart!,
    names: addressFields(args.positional[0]!, cx),
    keys: cx.keys(args.positional[1]!, args.match!),
    fields: cx.fields(args),
  }),
  test(d, rt) {
    const source = d.fields;
    if (!source) {
      // The common case, fields of the message itself: no per-test lists besides the values.
      const names = rt.expandList(d.names);
      const part = d.part;
      if (names.length === 1) {
        const addresses = rt.message.addresses(names[0]!);
        if (addresses.length === 1) {
          // One address (From, Sender...): a list of exactly one value.
          const v = part.extract(addresses[0]!, rt);
          const values = v === null ? [] : [v];
          rt.trace?.({ kind: 'values', source: 'address', name: names[0], part: part.name, values });
          return rt.match(values, d.keys, d.spec);
        }
      }
      const values: string[] = [];
      for (let i = 0; i < names.length; i++) {
        const start = values.length;
        const addresses = rt.message.addresses(names[i]!);
        // RFC 5228 §2.7.4: text that is no address can still be matched whole with :all.
        if (addresses.length === 0 && part.name === 'all') {
          const raw = rt.message.header(names[i]!);
          for (let j = 0; j < raw.length; j++) values.push(raw[j]!);
        }
        for (let j = 0; j < addresses.length; j++) {
          const v = part.extract(addresses[j]!, rt);
          if (v !== null) values.push(v);
        }
        rt.trace?.({
          kind: 'values',
          source: 'address',
          name: names[i],
          part: part.name,
          values: values.slice(start),
        });
      }
      return rt.match(values, d.keys, d.spec);
    }
    // Fields read through attached tags (MIME parts, one selected field): addresses parsed here.
    const values: string[] = [];
    for (const n of rt.expandList(d.names)) {
      const start = values.length;
      const addresses = source.raw(n, rt).flatMap((v) => parseAddressList(v));
      // RFC 5228 §2.7.4: text that is no address can still be matched whole with :all.
      if (addresses.length === 0 && d.part.name === 'all') values.push(...source.values(n, rt));
      for (const a of addresses) {
        const v = d.part.extract(a, rt);
        if (v !== null) values.push(v);
      }
      rt.trace?.({
        kind: 'values',
        source: 'address',
        name: n,
        part: d.part.name,
        values: values.slice(start),
      });
    }
    return rt.match(values, d.keys, d.spec);
  },
  bind(d) {
    // A field with a single address (From, Sender...) is matched here, any other by `test`.
    const one = oneConstantField(d);
    if (!one) return null;
    const { name, match } = one;
    const part = d.part;
    return (rt) => {
      const addresses = rt.message.addresses(name);
      if (addresses.length !== 1) return address.test(d, rt);
      const v = part.extract(addresses[0]!, rt);
      return match(v === null ? [] : [v], rt);
    };
  },
});

const exists = defineTest<{ names: SieveString[]; fields: FieldSource | null }>({
  name: 'exists',
  positional: ['stringlist'],
  positionalNames: ['header names'],
  compile: (args, cx) => ({
    names: headerNames(args.positional[0]!, cx),
    fields: cx.fields(args),
  }),
  test(d, rt) {
    const names = rt.expandList(d.names);
    const source = d.fields;
    if (!source) {
      for (let i = 0; i < names.length; i++) {
        const present = rt.message.header(names[i]!).length > 0;
        rt.trace?.({ kind: 'exists', header: names[i]!, present });
        if (!present) return false;
      }
      return true;
    }
    return names.every((n) => {
      const present = source.values(n, rt).length > 0;
      rt.trace?.({ kind: 'exists', header: n, present });
      return present;
    });
  },
});

const size = defineTest<{ over: boolean; limit: number }>({
  name: 'size',
  tags: [
    { name: 'over', group: 'size' },
    { name: 'under', group: 'size' },
  ],
  positional: ['number'],
  compile(args, cx) {
    if (!args.tags.has('over') && !args.tags.has('under'))
      cx.error(cx.node.pos, 'size test needs :over or :under');
    const n = args.positional[0]!;
    return { over: args.tags.has('over'), limit: n.type === 'number' ? n.value : 0 };
  },
  test(d, rt) {
    const size = rt.message.size;
    rt.trace?.({ kind: 'size', size, comparison: d.over ? 'over' : 'under', limit: d.limit });
    return d.over ? size > d.limit : size < d.limit;
  },
});

const not = defineTest<CompiledTest>({
  name: 'not',
  tests: 'one',
  compile: (_args, _cx, tests) => tests[0]!,
  test: (t, rt) => !evaluate(t, rt),
});

const allof = defineTest<CompiledTest[]>({
  name: 'allof',
  tests: 'list',
  compile: (_args, _cx, tests) => tests,
  test(tests, rt) {
    for (let i = 0; i < tests.length; i++) if (!evaluate(tests[i]!, rt)) return false;
    return true;
  },
});

const anyof = defineTest<CompiledTest[]>({
  name: 'anyof',
  tests: 'list',
  compile: (_args, _cx, tests) => tests,
  test(tests, rt) {
    for (let i = 0; i < tests.length; i++) if (evaluate(tests[i]!, rt)) return true;
    return false;
  },
});

const trueTest: TestDef<null> = { name: 'true', compile: () => null, test: () => true };
const falseTest: TestDef<null> = { name: 'false', compile: () => null, test: () => false };

const keep = defineCommand<ActionFields | null>({
  name: 'keep',
  compile: (args, cx) => cx.actionFields(args),
  run(more, rt) {
    const action: KeepAction = { type: 'keep', mailbox: 'INBOX' };
    if (more) more(action, rt);
    rt.result.add(action, true);
  },
});

const discard = defineCommand<null>({
  name: 'discard',
  compile: () => null,
  run: (_d, rt) => rt.result.add({ type: 'discard' }, true),
});

/**
 * A redirect target as an addr-spec. Like Pigeonhole, a full mailbox (`Name <a@b>`) is accepted and
 * reduced to its address, so both spellings count as one redirect.
 */
function redirectTarget(text: string): string | null {
  return isValidAddress(text) ? text : singleAddress(text);
}

const redirect = defineCommand<{ address: SieveString; copy: boolean }>({
  name: 'redirect',
  positional: ['string'],
  compile(args, cx) {
    let address = cx.string(args.positional[0]!);
    if (typeof address === 'string') {
      const target = redirectTarget(address);
      if (target === null) {
        cx.error(args.positional[0]!.pos, `redirect address "${address}" is not a valid e-mail address`);
      } else address = target;
    }
    return { address, copy: args.tags.has('copy') };
  },
  run(d, rt) {
    const text = rt.expand(d.address);
    const address = typeof d.address === 'string' ? text : redirectTarget(text);
    if (address === null)
      return rt.error(undefined, `redirect address "${text}" is not a valid e-mail address`);
    rt.result.add({ type: 'redirect', address, ...(d.copy ? { copy: true } : {}) }, !d.copy);
  },
});

const allPart = { name: 'all', extract: (a: { address: string }) => a.address };
const localPart = { name: 'localpart', extract: (a: { localPart: string }) => a.localPart };
const domainPart = { name: 'domain', extract: (a: { domain: string | null }) => a.domain };

/** The language without any `require`: RFC 5228 §4 and §5. */
export const base: Extension = {
  name: '',
  commands: [keep, discard, redirect],
  tests: [header, address, exists, size, not, allof, anyof, trueTest, falseTest],
  comparators: [octet, asciiCasemap],
  matchTypes: [is, contains, matches],
  addressParts: [allPart, localPart, domainPart],
};

/** `require "comparator-i;octet"` and friends are allowed for the built-in comparators. */
export const builtinComparators: Extension[] = [
  { name: 'comparator-i;octet', implicit: true },
  { name: 'comparator-i;ascii-casemap', implicit: true },
  { name: 'comparator-i;unicode-casemap', comparators: [unicodeCasemap] },
];

export type { Runtime };
