/**
 * RFC 6134 extlists: the :list match type (is a value on an external list?) and the
 * valid_ext_list test. Lists come from the host (`Host.listContains`) or from the configuration
 * (`config.extlists.lists`). `redirect :list` is not supported.
 */
import type { EngineConfig, Extension, MatchTypeDef } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import { array, map, object, string } from '../settings/schema.js';
import { defineTest } from './define.js';

/** RFC 6134 §2.1: a name starting with ":" is short for one under urn:ietf:params:sieve. */
export function fullListName(name: string): string {
  return name.startsWith(':') ? `urn:ietf:params:sieve${name}` : name;
}

/** A URI (RFC 3986 §3: scheme ":" and something) without white space or controls. */
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+$/;

/** RFC 6134 §2.2: the user's default address book always exists (it may be empty). */
export const DEFAULT_LIST = 'urn:ietf:params:sieve:addrbook:default';

function known(config: EngineConfig, full: string): boolean {
  return (
    full === DEFAULT_LIST ||
    Object.hasOwn(config.extlists.lists, full) ||
    config.extlists.hostLists.includes(full)
  );
}

/**
 * Why a list name is unusable, or null. Query parameters (RFC 6134 §2.1 "?label=...") are not
 * supported. Whether the list exists is a run-time question: configured lists may change.
 */
export function listNameProblem(name: string): string | null {
  const full = fullListName(name);
  if (!URI.test(full)) return `invalid external list name "${name}"`;
  if (full.includes('?')) return `external list name "${name}": query parameters are not supported`;
  return null;
}

/** Whether a list name is usable and the list exists. */
export function isKnownList(name: string, config: EngineConfig): boolean {
  return listNameProblem(name) === null && known(config, fullListName(name));
}

/** Whether `value` is on the list; the host is asked first, then the configuration. */
export function listContains(rt: Runtime, name: string, value: string): boolean {
  const full = fullListName(name);
  const answer =
    rt.host.listContains && rt.ask(`extlists\0${full}\0${value}`, () => rt.host.listContains!(full, value));
  if (answer !== undefined && answer !== null) return answer;
  const members = rt.config.extlists.lists[full];
  if (!members) return false;
  const v = value.toLowerCase();
  return members.some((m) => m.toLowerCase() === v);
}

const list: MatchTypeDef = {
  name: 'list',
  comparator: false,
  checkKey: (key) => listNameProblem(key),
  prepare: (key) => (value, rt) => {
    if (!rt || !listContains(rt, key, value)) return false;
    // RFC 6134 §2.3: ${0} is the value found on the list.
    rt.setMatchValues([value]);
    return true;
  },
};

const validExtList = defineTest<SieveString[]>({
  name: 'valid_ext_list',
  positional: ['stringlist'],
  positionalNames: ['list names'],
  compile: (args, cx) => cx.stringList(args.positional[0]!),
  test: (names, rt) => rt.expandList(names).every((n) => isKnownList(n, rt.config)),
});

export const extlistsExtension: Extension = {
  name: 'extlists',
  matchTypes: [list],
  tests: [validExtList],
};

const listName = string({
  expected: 'a list name (a URI without "?")',
  check: (s) => (listNameProblem(s) ? 'expected a list name (a URI without "?")' : null),
});

/** RFC 6134 extlists: lists kept in the configuration, and those the host answers. */
export const extlistsSettings = object(
  {
    lists: map(array(string()), {
      doc: 'Lists held in the configuration: full "urn:ietf:params:sieve:..." names or other URIs → members.',
    }),
    hostLists: array(listName, { doc: 'Further lists the host answers through `Host.listContains`.' }),
  },
  { doc: 'RFC 6134 extlists.' },
);
