import type { Extension, ParsedArgs, CompileContext, TagDef } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import { walkParts, parseContentType, type MimePart } from '../message/mime.js';
import { currentPart } from './foreverypart.js';
import { number } from '../settings/schema.js';
import { defineAttachment } from './define.js';

/** What `:mime` asks of header, address and exists (RFC 5703 §4). */
export interface MimeSelect {
  anychild: boolean;
  /** header only: read the value as a Content-Type and take this piece of it. */
  option: 'type' | 'subtype' | 'contenttype' | 'param' | null;
  params: SieveString[];
}

const OPTIONS = ['type', 'subtype', 'contenttype', 'param'] as const;
/** Tags that mean something only with :mime. */
const MIME_ONLY: readonly string[] = ['anychild', ...OPTIONS];

/**
 * Reads the :mime tags of a header/address/exists test; null without :mime. `options` is true for
 * header, the only test that takes :type/:subtype/:contenttype/:param.
 */
export function mimeSelect(
  args: ParsedArgs,
  cx: CompileContext,
  what: string,
  options: boolean,
): MimeSelect | null {
  const tags = args.tags;
  if (!tags.has('mime')) {
    // Without any tags nothing can be out of place.
    if (tags.size === 0) return null;
    for (const t of MIME_ONLY) {
      const tag = tags.get(t);
      if (tag) cx.error(tag.pos, `tag :${t} of ${what} needs :mime`);
    }
    return null;
  }
  const option = OPTIONS.find((o) => tags.has(o)) ?? null;
  if (option !== null && !options)
    cx.error(args.tags.get(option)!.pos, `tag :${option} cannot be used with ${what}`);
  const param = args.tags.get('param')?.value;
  return { anychild: args.tags.has('anychild'), option, params: param ? cx.stringList(param) : [] };
}

/** The parts a :mime test reads: the current one, and with :anychild all parts inside it too. */
export function selectedParts(rt: Runtime, sel: MimeSelect): MimePart[] {
  const part = currentPart(rt);
  return sel.anychild ? [...walkParts(part)] : [part];
}

/** Values of a header field over the selected parts, cut into the asked piece. */
export function mimeHeaderValues(rt: Runtime, sel: MimeSelect, name: string): string[] {
  const values: string[] = [];
  const params = sel.option === 'param' ? rt.expandList(sel.params).map((p) => p.toLowerCase()) : [];
  for (const part of selectedParts(rt, sel)) {
    rt.tick();
    if (sel.option === null) {
      values.push(...part.view.header(name));
      continue;
    }
    for (const raw of part.view.rawHeader(name)) {
      const ct = parseContentType(raw);
      if (!ct) continue;
      if (sel.option === 'type') values.push(ct.type);
      else if (sel.option === 'subtype') values.push(ct.subtype);
      else if (sel.option === 'contenttype') values.push(ct.subtype ? `${ct.type}/${ct.subtype}` : ct.type);
      else for (const p of params) if (p in ct.params) values.push(ct.params[p]!);
    }
  }
  return values;
}

const common: TagDef[] = [{ name: 'mime' }, { name: 'anychild' }];
const headerOnly: TagDef[] = [
  { name: 'type', group: 'mime-option' },
  { name: 'subtype', group: 'mime-option' },
  { name: 'contenttype', group: 'mime-option' },
  { name: 'param', param: 'stringlist', group: 'mime-option' },
];

/** :mime and its options on header, address and exists: the fields come from MIME parts. */
const mimeAttachment = defineAttachment<MimeSelect>({
  to: ['header', 'address', 'exists'],
  tags: [...common, ...headerOnly],
  stage: 'source',
  compile: (args, cx) => mimeSelect(args, cx, `${cx.node.name} test`, cx.node.name === 'header'),
  fields: (sel) => ({
    values: (name, rt) => mimeHeaderValues(rt, sel, name),
    raw: (name, rt) => selectedParts(rt, sel).flatMap((p) => p.view.rawHeader(name)),
  }),
});

/** RFC 5703 §4: `:mime` and `:anychild` for header, address and exists; the Content-Type options for header. */
export const mimeExtension: Extension = { name: 'mime', attachments: [mimeAttachment] };

/** RFC 5703 MIME parsing (body, mime, foreverypart): how many parts and how deep. */
export const mimeSettings = {
  maxMimeParts: number({ integer: true, min: 1, default: 1000, doc: 'MIME parts read at most.' }),
  maxMimeDepth: number({
    integer: true,
    min: 1,
    default: 32,
    doc: 'Nesting depth of multiparts read at most.',
  }),
};
