/**
 * RFC 5490 §3 and §4: mboxmetadata (metadata, metadataexists) and servermetadata
 * (servermetadata, servermetadataexists). Values come from `Host.metadata`; without it no entry
 * exists.
 */
import type { Argument } from '../syntax/ast.js';
import type { CompileContext, CompiledKeys, Extension, MatchSpec, TestDef } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * RFC 5464 §3.2 entry names as Sieve may read them: "/private/..." or "/shared/...", no empty
 * component, no trailing slash, no wildcards or controls.
 */
export function isValidEntryName(name: string): boolean {
  if (!/^\/(private|shared)\/[^*%\x00-\x1f\x7f]+$/i.test(name)) return false;
  return !name.includes('//') && !name.endsWith('/');
}

/** A mailbox name that can exist: no U+FFFD (it came from invalid UTF-8) and no controls. */
function isValidMailbox(name: string): boolean {
  return name !== '' && !/[\uFFFD\x00-\x1f\x7f]/.test(name);
}

function warnEntry(cx: CompileContext, arg: Argument, name: SieveString): void {
  if (typeof name === 'string' && !isValidEntryName(name)) {
    cx.warning(arg.pos, `invalid metadata entry name "${name}" (it never exists)`);
  }
}

function warnMailbox(cx: CompileContext, arg: Argument, name: SieveString): void {
  if (typeof name === 'string' && !isValidMailbox(name)) {
    cx.warning(arg.pos, `invalid mailbox name "${name}" (it has no metadata)`);
  }
}

function lookup(rt: Runtime, mailbox: string | null, entry: string): string | null {
  if (!isValidEntryName(entry) || (mailbox !== null && !isValidMailbox(mailbox))) return null;
  if (!rt.host.metadata) return null;
  return rt.ask(`metadata\0${mailbox ?? ''}\0${mailbox === null ? 's' : 'm'}\0${entry}`, () =>
    rt.host.metadata!(mailbox, entry),
  );
}

interface MetadataData {
  spec: MatchSpec;
  mailbox: SieveString | null;
  entry: SieveString;
  keys: CompiledKeys;
}

function metadataTest(name: string, server: boolean): TestDef<MetadataData> {
  const positional = server ? 0 : 1;
  return {
    name,
    matching: true,
    positional: server ? ['string', 'stringlist'] : ['string', 'string', 'stringlist'],
    positionalNames: server ? ['entry name', 'key list'] : ['mailbox', 'entry name', 'key list'],
    compile(args, cx) {
      const mailbox = server ? null : cx.string(args.positional[0]!);
      if (mailbox !== null) warnMailbox(cx, args.positional[0]!, mailbox);
      const entryArg = args.positional[positional]!;
      const entry = cx.string(entryArg);
      warnEntry(cx, entryArg, entry);
      return {
        spec: args.match!,
        mailbox,
        entry,
        keys: cx.keys(args.positional[positional + 1]!, args.match!),
      };
    },
    test(d, rt) {
      const value = lookup(rt, d.mailbox === null ? null : rt.expand(d.mailbox), rt.expand(d.entry));
      // An entry that is not set has no value to match (RFC 5490 §3.2).
      return value !== null && rt.match([value], d.keys, d.spec);
    },
  };
}

interface ExistsData {
  mailbox: SieveString | null;
  entries: SieveString[];
}

function existsTest(name: string, server: boolean): TestDef<ExistsData> {
  return {
    name,
    positional: server ? ['stringlist'] : ['string', 'stringlist'],
    positionalNames: server ? ['entry names'] : ['mailbox', 'entry names'],
    compile(args, cx) {
      const mailbox = server ? null : cx.string(args.positional[0]!);
      if (mailbox !== null) warnMailbox(cx, args.positional[0]!, mailbox);
      const entriesArg = args.positional[server ? 0 : 1]!;
      const entries = cx.stringList(entriesArg);
      for (const e of entries) warnEntry(cx, entriesArg, e);
      return { mailbox, entries };
    },
    test(d, rt) {
      const mailbox = d.mailbox === null ? null : rt.expand(d.mailbox);
      return rt.expandList(d.entries).every((e) => lookup(rt, mailbox, e) !== null);
    },
  };
}

export const mboxmetadataExtension: Extension = {
  name: 'mboxmetadata',
  tests: [metadataTest('metadata', false), existsTest('metadataexists', false)],
};

export const servermetadataExtension: Extension = {
  name: 'servermetadata',
  tests: [metadataTest('servermetadata', true), existsTest('servermetadataexists', true)],
};
