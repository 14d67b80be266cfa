/**
 * RFC 5435 enotify: the notify action, the valid_notify_method and notify_method_capability
 * tests and the :encodeurl modifier of `set`. The only method is mailto (RFC 5436,
 * ../actions/mailto.ts); a notify action is added to the result as a
 * NotifyAction and hosts build the message with buildMailtoNotification.
 */
import type { Argument, Position } from '../syntax/ast.js';
import type { CompileContext, CompiledKeys, Extension, MatchSpec } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import type { NotifyAction } from '../runtime/result.js';
import { defineSetModifier, setModifierTag, type SetModifier } from './variables.js';
import { checkMailtoFrom, dedupe, isAutomated, mailtoCapability, parseMailto } from '../actions/mailto.js';
import { number, object, string } from '../settings/schema.js';
import { defineCommand, defineTest } from './define.js';

/** One notification method, by URI scheme. */
interface NotifyMethod {
  /** Errors of a URI of this scheme (empty when usable), and warnings. */
  check(uri: string): { errors: string[]; warnings: string[] };
  checkFrom(from: string): string | null;
  capability(uri: string, capability: string): string | null;
}

const METHODS: Record<string, NotifyMethod> = {
  mailto: {
    check(uri) {
      const p = parseMailto(uri);
      return p.ok ? { errors: [], warnings: p.warnings } : { errors: p.errors, warnings: [] };
    },
    checkFrom: checkMailtoFrom,
    capability: (_uri, cap) => mailtoCapability(cap),
  },
};

/** The scheme of a URI (RFC 3986 §3.1), lower-cased; null when there is none. */
function scheme(uri: string): string | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  return m ? m[1]!.toLowerCase() : null;
}

/** The method for a URI, or an error message. */
function methodFor(uri: string): NotifyMethod | string {
  const s = scheme(uri);
  if (s === null) return `invalid notify method URI "${short(uri)}" (no scheme)`;
  return METHODS[s] ?? `unsupported notify method "${s}"`;
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}

/** All problems of a method URI, or none. */
function uriErrors(uri: string): string[] {
  const m = methodFor(uri);
  if (typeof m === 'string') return [m];
  return m.check(uri).errors.map((e) => `notify method "${short(uri)}": ${e}`);
}

/** RFC 5435 §3.3: each option is "name=value"; the name starts with a letter or digit. */
const OPTION = /^[A-Za-z0-9][A-Za-z0-9.+-]*=[^\r\n]*$/;

interface NotifyData {
  method: SieveString;
  from: SieveString | null;
  importance: SieveString | null;
  options: SieveString[];
  message: SieveString | null;
}

function constant(s: SieveString | null): s is string {
  return typeof s === 'string';
}

function checkImportance(v: string): string | null {
  return v === '1' || v === '2' || v === '3'
    ? null
    : `notify :importance must be "1", "2" or "3", not "${short(v)}"`;
}

function checkOption(v: string): string | null {
  return OPTION.test(v) ? null : `invalid notify :options item "${short(v)}" (expected "name=value")`;
}

function tagString(cx: CompileContext, arg: Argument | undefined): SieveString | null {
  return arg ? cx.string(arg) : null;
}

const notify = defineCommand<NotifyData>({
  name: 'notify',
  tags: [
    { name: 'from', param: 'string' },
    { name: 'importance', param: 'string' },
    { name: 'options', param: 'stringlist' },
    { name: 'message', param: 'string' },
  ],
  positional: ['string'],
  positionalNames: ['method'],
  compile(args, cx) {
    if (cx.config.notify.maxNotifications <= 0) {
      cx.error(cx.node.pos, 'local policy prohibits the use of a notify action');
    }
    const methodArg = args.positional[0]!;
    const data: NotifyData = {
      method: cx.string(methodArg),
      from: tagString(cx, args.tags.get('from')?.value),
      importance: tagString(cx, args.tags.get('importance')?.value),
      options: args.tags.get('options')?.value ? cx.stringList(args.tags.get('options')!.value!) : [],
      message: tagString(cx, args.tags.get('message')?.value),
    };
    const at = (name: string): Position => args.tags.get(name)?.value?.pos ?? cx.node.pos;
    let method: NotifyMethod | null = null;
    if (constant(data.method)) {
      const m = methodFor(data.method);
      if (typeof m === 'string') cx.error(methodArg.pos, m);
      else {
        method = m;
        const { errors, warnings } = m.check(data.method);
        for (const e of errors) cx.error(methodArg.pos, `notify method "${short(data.method)}": ${e}`);
        for (const w of warnings) cx.warning(methodArg.pos, w);
      }
    }
    if (method && constant(data.from)) {
      const problem = method.checkFrom(data.from);
      if (problem) cx.error(at('from'), problem);
    }
    if (constant(data.importance)) {
      const problem = checkImportance(data.importance);
      if (problem) cx.error(at('importance'), problem);
    }
    for (const o of data.options) {
      if (!constant(o)) continue;
      const problem = checkOption(o);
      if (problem) cx.error(at('options'), problem);
    }
    return data;
  },
  run(d, rt) {
    const max = rt.config.notify.maxNotifications;
    if (max <= 0) rt.error(undefined, 'local policy prohibits the use of a notify action');
    const uri = rt.expand(d.method);
    const m = methodFor(uri);
    if (typeof m === 'string') return rt.error(undefined, m);
    const parsed = parseMailto(uri);
    if (!parsed.ok) return rt.error(undefined, `notify method "${short(uri)}": ${parsed.errors[0]}`);
    const from = d.from === null ? undefined : rt.expand(d.from);
    if (from !== undefined) {
      const problem = m.checkFrom(from);
      if (problem) return rt.error(undefined, problem);
    }
    let importance: 1 | 2 | 3 = 2;
    if (d.importance !== null) {
      const v = rt.expand(d.importance);
      const problem = checkImportance(v);
      if (problem) return rt.error(undefined, problem);
      importance = Number(v) as 1 | 2 | 3;
    }
    const options = rt.expandList(d.options);
    for (const o of options) {
      const problem = checkOption(o);
      if (problem) return rt.error(undefined, problem);
    }
    const text = d.message === null ? defaultMessage(rt) : rt.expand(d.message);
    // RFC 5436 §2.5: a recipient notified by an earlier notify action is not notified again.
    const earlier = rt.result.actions.filter((a) => a.type === 'notify');
    const seen = new Set<string>();
    for (const a of earlier) dedupe({ ...a.mailto }, seen);
    const target = parsed.uri;
    if (dedupe(target, seen) === 0) return;
    if (earlier.length >= max) rt.error(undefined, `number of notify actions exceeds policy limit (${max})`);
    const action: NotifyAction = { type: 'notify', method: uri, importance, options, text, mailto: target };
    if (from !== undefined) action.from = from;
    if (isAutomated(rt.message)) action.suppressed = 'the message was sent by an automated process';
    rt.result.add(action, false);
  },
});

/** RFC 5435 §3.5 leaves the default to the implementation: who sent what. */
function defaultMessage(rt: Runtime): string {
  const from = rt.message.header('from')[0] ?? rt.envelope.from;
  const subject = rt.message.header('subject')[0] ?? '';
  return `${from}: ${subject}`.trim();
}

const validNotifyMethod = defineTest<SieveString[]>({
  name: 'valid_notify_method',
  positional: ['stringlist'],
  positionalNames: ['notification URIs'],
  compile: (args, cx) => cx.stringList(args.positional[0]!),
  test: (uris, rt) => rt.expandList(uris).every((u) => uriErrors(u).length === 0),
});

interface CapabilityData {
  spec: MatchSpec;
  uri: SieveString;
  capability: SieveString;
  keys: CompiledKeys;
}

const notifyMethodCapability = defineTest<CapabilityData>({
  name: 'notify_method_capability',
  matching: true,
  positional: ['string', 'string', 'stringlist'],
  positionalNames: ['notification URI', 'notification capability', 'key list'],
  compile: (args, cx) => ({
    spec: args.match!,
    uri: cx.string(args.positional[0]!),
    capability: cx.string(args.positional[1]!),
    keys: cx.keys(args.positional[2]!, args.match!),
  }),
  test(d, rt) {
    const uri = rt.expand(d.uri);
    // RFC 5435 §5: an unusable URI or unknown capability makes the test false.
    if (uriErrors(uri).length) return false;
    const m = methodFor(uri) as NotifyMethod;
    const value = m.capability(uri, rt.expand(d.capability));
    return value !== null && rt.match([value], d.keys, d.spec);
  },
});

/** RFC 5435 §6: percent-encodes all but unreserved characters, never splitting a character. */
function encodeUrl(value: string, maxSize: number): string {
  let out = '';
  for (const ch of value) {
    const piece = /^[A-Za-z0-9\-._~]$/.test(ch)
      ? ch
      : [...Buffer.from(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    if (out.length + piece.length > maxSize) break;
    out += piece;
  }
  return out;
}

const encodeurl: SetModifier = { name: 'encodeurl', precedence: 15, apply: encodeUrl };
defineSetModifier(encodeurl);

export const enotifyExtension: Extension = {
  name: 'enotify',
  commands: [notify],
  tests: [validNotifyMethod, notifyMethodCapability],
  tagsFor: [{ command: 'set', tag: setModifierTag(encodeurl) }],
};

/** RFC 5435 enotify and its mailto method (RFC 5436). */
export const notifySettings = object(
  {
    maxNotifications: number({
      integer: true,
      min: 0,
      default: 10,
      doc: 'Notify actions per run (0 forbids notify).',
    }),
    mailtoEnvelopeFrom: string({
      default: '',
      doc:
        'Envelope sender of mailto notifications: "" (the :from address, else the postmaster), "sender", ' +
        '"recipient", "orig_recipient", "user_email", "postmaster" or "<address>". A message with a null ' +
        'sender always gets notifications with a null sender.',
    }),
  },
  { doc: 'RFC 5435 enotify.' },
);
