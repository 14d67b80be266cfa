import type { Argument } from '../syntax/ast.js';
import type {
  ActionCommandDef,
  CompiledKeys,
  CompileContext,
  Extension,
  MatchSpec,
  ParsedArgs,
  TestDef,
} from './types.js';
import type { CompiledTest } from '../compiler/program.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import { evaluate } from '../runtime/interpreter.js';
import { asciiCasemap, octet, unicodeCasemap } from '../runtime/comparators.js';
import { contains, is, matches } from '../runtime/match-types.js';
import { isValidAddress, parseAddressList } from '../message/index.js';
import { storeFlags } from './imap4flags-state.js';

/** RFC 5322 field name characters: printable US-ASCII except colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** Warns about constant header names that can never match (a field name cannot hold ':' or spaces). */
export function headerNames(arg: Argument, cx: CompileContext): SieveString[] {
  const names = cx.stringList(arg);
  for (const n of names) {
    if (typeof n === 'string' && !FIELD_NAME.test(n)) {
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
}

const header: TestDef<HeaderTestData> = {
  name: 'header',
  matching: true,
  positional: ['stringlist', 'stringlist'],
  compile: (args, cx) => ({
    spec: args.match!,
    names: headerNames(args.positional[0]!, cx),
    keys: cx.keys(args.positional[1]!, args.match!),
  }),
  test(d, rt) {
    const values: string[] = [];
    for (const n of rt.expandList(d.names)) values.push(...rt.message.header(n));
    return rt.match(values, d.keys, d.spec);
  },
};

export interface AddressTestData extends HeaderTestData {
  part: NonNullable<ParsedArgs['addressPart']>;
}

const address: TestDef<AddressTestData> = {
  name: 'address',
  matching: true,
  addressPart: true,
  positional: ['stringlist', 'stringlist'],
  compile: (args, cx) => ({
    spec: args.match!,
    part: args.addressPart!,
    names: headerNames(args.positional[0]!, cx),
    keys: cx.keys(args.positional[1]!, args.match!),
  }),
  test(d, rt) {
    const values: string[] = [];
    for (const n of rt.expandList(d.names)) {
      const addresses = rt.message.addresses(n);
      // RFC 5228 §2.7.4: text that is no address can still be matched whole with :all.
      if (addresses.length === 0 && d.part.name === 'all') values.push(...rt.message.header(n));
      for (const a of addresses) {
        const v = d.part.extract(a, rt);
        if (v !== null) values.push(v);
      }
    }
    return rt.match(values, d.keys, d.spec);
  },
};

const exists: TestDef<SieveString[]> = {
  name: 'exists',
  positional: ['stringlist'],
  compile: (args, cx) => headerNames(args.positional[0]!, cx),
  test: (names, rt) => rt.expandList(names).every((n) => rt.message.header(n).length > 0),
};

const size: TestDef<{ over: boolean; limit: number }> = {
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
  test: (d, rt) => (d.over ? rt.message.size > d.limit : rt.message.size < d.limit),
};

const not: TestDef<CompiledTest> = {
  name: 'not',
  tests: 'one',
  compile: (_args, _cx, tests) => tests[0]!,
  test: (t, rt) => !evaluate(t, rt),
};

const allof: TestDef<CompiledTest[]> = {
  name: 'allof',
  tests: 'list',
  compile: (_args, _cx, tests) => tests,
  test: (tests, rt) => tests.every((t) => evaluate(t, rt)),
};

const anyof: TestDef<CompiledTest[]> = {
  name: 'anyof',
  tests: 'list',
  compile: (_args, _cx, tests) => tests,
  test: (tests, rt) => tests.some((t) => evaluate(t, rt)),
};

const trueTest: TestDef<null> = { name: 'true', compile: () => null, test: () => true };
const falseTest: TestDef<null> = { name: 'false', compile: () => null, test: () => false };

const keep: ActionCommandDef<{ flags: SieveString[] | null }> = {
  name: 'keep',
  compile: (args, cx) => ({ flags: flagsTag(args, cx) }),
  run(d, rt) {
    const flags = storeFlags(d.flags, rt);
    rt.result.add({ type: 'keep', mailbox: 'INBOX', ...(flags ? { flags } : {}) }, true);
  },
};

const discard: ActionCommandDef<null> = {
  name: 'discard',
  compile: () => null,
  run: (_d, rt) => rt.result.add({ type: 'discard' }, true),
};

/**
 * A redirect target as an addr-spec. Like Pigeonhole, a full mailbox (`Name <a@b>`) is accepted and
 * reduced to its address, so both spellings count as one redirect.
 */
function redirectTarget(text: string): string | null {
  if (isValidAddress(text)) return text;
  const list = parseAddressList(text);
  const only = list.length === 1 ? list[0]! : null;
  return only && only.domain && isValidAddress(only.address) ? only.address : null;
}

const redirect: ActionCommandDef<{ address: SieveString; copy: boolean }> = {
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
};

/** The :flags tag imap4flags adds to keep and fileinto. */
export function flagsTag(args: ParsedArgs, cx: CompileContext): SieveString[] | null {
  const t = args.tags.get('flags');
  return t?.value ? cx.stringList(t.value) : null;
}

const allPart = { name: 'all', extract: (a: { address: string }) => a.address };
const localPart = { name: 'localpart', extract: (a: { localPart: string }) => a.localPart };
const domainPart = { name: 'domain', extract: (a: { domain: string | null }) => a.domain };

/** The language without any `require`: RFC 5228 §4 and §5. */
export const base: Extension = {
  name: '',
  commands: [keep, discard, redirect] as ActionCommandDef[],
  tests: [header, address, exists, size, not, allof, anyof, trueTest, falseTest] as TestDef[],
  comparators: [octet, asciiCasemap],
  matchTypes: [is, contains, matches],
  addressParts: [allPart, localPart, domainPart],
};

/** `require "comparator-i;octet"` and friends are allowed for the built-in comparators. */
export const builtinComparators: Extension[] = [
  { name: 'comparator-i;octet' },
  { name: 'comparator-i;ascii-casemap' },
  { name: 'comparator-i;unicode-casemap', comparators: [unicodeCasemap] },
];

export type { Runtime };
