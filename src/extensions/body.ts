import type { CompiledKeys, Extension, MatchSpec } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import { hasBodySeparator, mimeTree, walkParts, type MimePart } from '../message/mime.js';
import { decodedBody, isTextual, partPlainText, toText } from '../message/mime-content.js';
import { number } from '../settings/schema.js';
import { defineTest } from './define.js';

type Transform = { kind: 'raw' } | { kind: 'text' } | { kind: 'content'; types: SieveString[] };

interface BodyData {
  spec: MatchSpec;
  keys: CompiledKeys;
  transform: Transform;
}

/**
 * RFC 5173 §5.2: "" matches every part, "type" any subtype of it, "type/subtype" exactly that;
 * a specification starting or ending with a slash, or with several, matches nothing.
 */
export function contentTypeFilter(spec: string): (part: MimePart) => boolean {
  const s = spec.toLowerCase();
  if (s === '') return () => true;
  const slash = s.indexOf('/');
  if (slash < 0) return (p) => p.type === s;
  if (slash === 0 || slash === s.length - 1 || s.indexOf('/', slash + 1) >= 0) return () => false;
  const type = s.slice(0, slash);
  const subtype = s.slice(slash + 1);
  return (p) => p.type === type && p.subtype === subtype;
}

function latin1OrUtf8(b: Buffer): string {
  return toText(b, undefined);
}

/** The strings a body test matches against; null when the message has no body at all. */
export function bodyValues(rt: Runtime, transform: Transform): string[] | null {
  const message = rt.message;
  if (!hasBodySeparator(message)) return null;
  const max = rt.config.maxBodySize;
  if (transform.kind === 'raw') {
    const body = message.body();
    return [latin1OrUtf8(body.length > max ? body.subarray(0, max) : body)];
  }
  const root = mimeTree(message, { maxParts: rt.config.maxMimeParts, maxDepth: rt.config.maxMimeDepth });
  const filters = transform.kind === 'content' ? rt.expandList(transform.types).map(contentTypeFilter) : null;
  const values: string[] = [];
  // Decoded octets still allowed, shared by all parts.
  let budget = max;
  const push = (s: string) => {
    values.push(s);
    budget -= s.length;
  };
  for (const part of walkParts(root)) {
    if (budget <= 0) break;
    rt.tick();
    if (filters === null) {
      if (!isTextual(part)) continue;
      const text = partPlainText(part, budget);
      if (text !== null) push(text);
      continue;
    }
    if (!filters.some((f) => f(part))) continue;
    if (part.type === 'multipart') {
      // Only the prologue and epilogue; the parts inside are searched when their own type matches.
      if (part.prologue !== null) push(latin1OrUtf8(part.prologue));
      if (part.epilogue !== null) push(latin1OrUtf8(part.epilogue));
    } else if (part.type === 'message' && part.subtype === 'rfc822' && part.children.length > 0) {
      // Only the header of the enclosed message (RFC 5173 §5.2).
      const inner = part.children[0]!.view;
      const raw = inner.raw();
      let end = raw.length - inner.body().length;
      // Without the empty line that ends the header.
      if (end > 0 && raw[end - 1] === 0x0a) end--;
      if (end > 0 && raw[end - 1] === 0x0d) end--;
      push(latin1OrUtf8(raw.subarray(0, end)));
    } else {
      const bytes = decodedBody(part, budget);
      if (bytes !== null) push(toText(bytes, part.params.charset));
    }
  }
  return values;
}

const body = defineTest<BodyData>({
  name: 'body',
  matching: true,
  tags: [
    { name: 'raw', group: 'body-transform' },
    { name: 'content', param: 'stringlist', group: 'body-transform' },
    { name: 'text', group: 'body-transform' },
  ],
  positional: ['stringlist'],
  compile(args, cx) {
    const content = args.tags.get('content')?.value;
    const transform: Transform = content
      ? { kind: 'content', types: cx.stringList(content) }
      : args.tags.has('raw')
        ? { kind: 'raw' }
        : { kind: 'text' };
    return { spec: args.match!, keys: cx.keys(args.positional[0]!, args.match!), transform };
  },
  test(d, rt) {
    const values = bodyValues(rt, d.transform);
    rt.trace?.({ kind: 'values', source: 'body', part: d.transform.kind, values: values ?? [] });
    if (values === null) return false;
    // RFC 5173 §6: a body test leaves the match variables alone.
    const capture = rt.captureMatches;
    rt.captureMatches = false;
    try {
      return rt.match(values, d.keys, d.spec);
    } finally {
      rt.captureMatches = capture;
    }
  },
});

/** RFC 5173: the body test with :raw, :content and :text (the default). */
export const bodyExtension: Extension = { name: 'body', tests: [body] };

/** RFC 5173 body (and extracttext): how much of a body is looked at. */
export const bodySettings = {
  maxBodySize: number({
    integer: true,
    min: 0,
    default: 4 * 1024 * 1024,
    doc: 'Octets of a message body the body test and extracttext look at (per test, decoded).',
  }),
};
