import { charge } from '../runtime/meter.js';
import { libmime } from './deps.js';
import { parseMessage } from './message.js';
import type { MessageView } from './types.js';

/** One MIME part: the whole message is the root, a message/rfc822 part has the enclosed message as its child. */
export interface MimePart {
  /** Header and body of this part (for the root, the message itself). */
  readonly view: MessageView;
  /** Lower-cased media type and subtype; text/plain when the part says nothing. */
  readonly type: string;
  readonly subtype: string;
  /** Content-Type parameters, names lower-cased, RFC 2231 continuations joined and decoded. */
  readonly params: Record<string, string>;
  readonly children: MimePart[];
  /** Multipart text before the first and after the closing boundary (null when absent). */
  readonly prologue: Buffer | null;
  readonly epilogue: Buffer | null;
  /** False for a part (or message) with a header but no empty line after it. */
  readonly hasBody: boolean;
  readonly depth: number;
}

export interface MimeLimits {
  maxParts: number;
  maxDepth: number;
}

/**
 * Parts are never split deeper than this, whatever maxMimeDepth says. Each level scans all of
 * its parent's octets for its boundary, so the work is size × depth: the input must not decide
 * the depth. Real mail nests a handful of levels.
 */
export const MIME_DEPTH_CAP = 256;

const LF = 0x0a;
const CR = 0x0d;
const trees = new WeakMap<MessageView, MimePart>();

/**
 * The MIME structure of a message, parsed on first use and kept with the view. Parsing is
 * tolerant (a missing closing boundary ends the part at the end of its parent, text without
 * any boundary is the prologue) and bounded: beyond `maxDepth` (and MIME_DEPTH_CAP) parts are not split further and
 * no more than `maxParts` parts are made. Every part is located by scanning only its parent's
 * range, so the work is at most size × depth (charged to the CPU meter). The tree is built with
 * a work list, not recursion, so no nesting depth can overflow the stack.
 */
export function mimeTree(view: MessageView, limits: MimeLimits): MimePart {
  let tree = trees.get(view);
  if (!tree) {
    tree = buildTree(view, limits);
    trees.set(view, tree);
  }
  return tree;
}

/** The part and all parts below it, depth first, the part itself first (no recursion). */
export function* walkParts(part: MimePart): Generator<MimePart> {
  const stack: MimePart[] = [part];
  while (stack.length > 0) {
    const next = stack.pop()!;
    yield next;
    for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]!);
  }
}

export interface ContentType {
  type: string;
  subtype: string;
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/** Parses a Content-Type (or Content-Disposition) value; null when its type is not `token/token`. */
export function parseContentType(value: string): ContentType | null {
  const parsed = libmime().parseHeaderValue(value) as { value: string; params: Record<string, string> };
  const full = parsed.value.trim();
  const slash = full.indexOf('/');
  const type = slash < 0 ? full : full.slice(0, slash);
  const subtype = slash < 0 ? '' : full.slice(slash + 1);
  if (!TOKEN.test(type) || (slash >= 0 && !TOKEN.test(subtype))) return null;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.params)) params[k.toLowerCase()] = v;
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params };
}

/** A part still to be built, and the children list of its parent (null for the root). */
interface Pending {
  raw: Buffer;
  depth: number;
  inDigest: boolean;
  into: MimePart[] | null;
}

/**
 * Builds parts depth first, the part before its children and children in order, so the part
 * budget runs out at the same place as it would in a recursive descent: once it is spent, no
 * further part is made.
 */
function buildTree(root: MessageView, limits: MimeLimits): MimePart {
  const budget = { parts: limits.maxParts };
  const maxDepth = Math.min(limits.maxDepth, MIME_DEPTH_CAP);
  let tree: MimePart | null = null;
  const stack: Pending[] = [{ raw: root.raw(), depth: 0, inDigest: false, into: null }];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.into !== null && budget.parts <= 0) continue;
    const view = next.into === null ? root : parseMessage(next.raw);
    const built = buildPart(view, next.raw, next.depth, next.inDigest, maxDepth, budget);
    if (next.into === null) tree = built.part;
    else next.into.push(built.part);
    const inner = built.inner;
    for (let i = inner.length - 1; i >= 0; i--) {
      stack.push({
        raw: inner[i]!,
        depth: next.depth + 1,
        inDigest: built.digest,
        into: built.part.children,
      });
    }
  }
  return tree!;
}

/** One part without its children, and the octets of the parts inside it still to be built. */
interface Built {
  part: MimePart;
  inner: Buffer[];
  digest: boolean;
}

function buildPart(
  view: MessageView,
  raw: Buffer,
  depth: number,
  inDigest: boolean,
  maxDepth: number,
  budget: { parts: number },
): Built {
  budget.parts--;
  charge(256);
  const header = view.rawHeader('content-type')[0];
  let ct: ContentType | null;
  if (header === undefined) {
    ct = inDigest
      ? { type: 'message', subtype: 'rfc822', params: {} }
      : { type: 'text', subtype: 'plain', params: {} };
  } else {
    ct = parseContentType(header);
    // A Content-Type that cannot be read says nothing trustworthy: the content is opaque.
    if (ct === null || ct.subtype === '')
      ct = { type: 'application', subtype: 'octet-stream', params: ct?.params ?? {} };
  }
  const hasBody = hasBodySeparator(view, raw);
  let inner: Buffer[] = [];
  let digest = false;
  let prologue: Buffer | null = null;
  let epilogue: Buffer | null = null;
  const canSplit = depth < maxDepth && hasBody;
  if (canSplit && ct.type === 'multipart') {
    const body = view.body();
    const boundary = ct.params.boundary;
    if (boundary) {
      const split = splitMultipart(body, boundary);
      prologue = split.prologue;
      epilogue = split.epilogue;
      digest = ct.subtype === 'digest';
      inner = split.parts;
    } else {
      prologue = body;
    }
  } else if (canSplit && ct.type === 'message' && ct.subtype === 'rfc822') {
    inner = [view.body()];
  }
  const part = { view, ...ct, children: [], prologue, epilogue, hasBody, depth };
  return { part, inner, digest };
}

/** True when the header is followed by an empty line (a message of header fields only has no body). */
export function hasBodySeparator(view: MessageView, raw: Buffer = view.raw()): boolean {
  const body = view.body();
  if (body.length > 0) return true;
  const n = raw.length;
  if (n === 0) return false;
  if (raw[n - 1] !== LF) return false;
  // The last line is empty: "\n\n", "\n\r\n", or the message is just a line break.
  const before = n >= 2 && raw[n - 2] === CR ? n - 2 : n - 1;
  return before === 0 || raw[before - 1] === LF;
}

interface Split {
  prologue: Buffer | null;
  parts: Buffer[];
  epilogue: Buffer | null;
}

/**
 * Splits a multipart body at its boundary lines (RFC 2046 §5.1.1): `--boundary` at the start of a
 * line followed only by blanks, or `--boundary--` for the end. The line break before a boundary
 * line belongs to it.
 */
export function splitMultipart(body: Buffer, boundary: string): Split {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let prologue: Buffer | null = null;
  let epilogue: Buffer | null = null;
  let partStart = -1;
  let from = 0;
  while (from < body.length) {
    const at = body.indexOf(delimiter, from);
    charge((at < 0 ? body.length : at) - from + 16);
    if (at < 0) break;
    from = at + 1;
    if (at > 0 && body[at - 1] !== LF) continue;
    let i = at + delimiter.length;
    const close = body[i] === 0x2d && body[i + 1] === 0x2d;
    if (close) i += 2;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x09)) i++;
    if (i < body.length && body[i] !== CR && body[i] !== LF) continue;
    const lineEnd = body[i] === CR && body[i + 1] === LF ? i + 2 : i < body.length ? i + 1 : i;
    // The line break before the boundary line belongs to the boundary.
    let contentEnd = at;
    if (contentEnd > 0 && body[contentEnd - 1] === LF) contentEnd--;
    if (contentEnd > 0 && body[contentEnd - 1] === CR) contentEnd--;
    if (partStart < 0) prologue = body.subarray(0, contentEnd);
    else parts.push(body.subarray(partStart, Math.max(partStart, contentEnd)));
    if (close) {
      if (lineEnd < body.length) epilogue = body.subarray(lineEnd);
      return { prologue, parts, epilogue };
    }
    partStart = lineEnd;
    from = lineEnd;
  }
  // No closing boundary: the last part runs to the end; no boundary at all: it is all prologue.
  if (partStart < 0) prologue = body;
  else parts.push(body.subarray(partStart));
  return { prologue, parts, epilogue };
}
