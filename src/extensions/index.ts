/**
 * RFC 5260 §6, the "index" extension: `:index <n>` (optionally with `:last`) on header, address and
 * date selects the n-th field of each named header, counted from the top or, with :last, from the
 * bottom. (Named header-index.ts because index.ts is the list of all extensions.)
 */
import type { CompileContext, Extension, ParsedArgs } from './types.js';
import { defineAttachment } from './define.js';

export interface FieldIndex {
  /** 1-based position. */
  index: number;
  /** Counted from the last field upwards. */
  last: boolean;
}

/** Reads and checks :index/:last of a header, address or date test; null when no :index is given. */
export function compileIndex(args: ParsedArgs, cx: CompileContext): FieldIndex | null {
  const index = args.tags.get('index');
  const last = args.tags.get('last');
  if (!index) {
    if (last) cx.error(last.pos, `:last tag of ${cx.node.name} cannot be specified without the :index tag`);
    return null;
  }
  const value = index.value?.type === 'number' ? index.value.value : 0;
  if (value < 1) {
    cx.error(
      index.value?.pos ?? index.pos,
      `:index of ${cx.node.name} must be a positive number, not ${value}`,
    );
    return null;
  }
  return { index: value, last: last !== undefined };
}

/** The selected field values: all of them without :index, else at most one. */
export function pickIndexed<T>(fields: readonly T[], idx: FieldIndex | null | undefined): T[] {
  if (!idx) return fields as T[];
  const i = idx.last ? fields.length - idx.index : idx.index - 1;
  return i >= 0 && i < fields.length ? [fields[i]!] : [];
}

/** :index and :last on header, address and date: of each named header, keep the selected field. */
const indexAttachment = defineAttachment<FieldIndex>({
  to: ['header', 'address', 'date'],
  tags: [{ name: 'index', param: 'number' }, { name: 'last' }],
  stage: 'filter',
  compile: compileIndex,
  fields: (idx, inner) => ({
    values: (name, rt) => pickIndexed(inner.values(name, rt), idx),
    raw: (name, rt) => pickIndexed(inner.raw(name, rt), idx),
  }),
});

export const indexExtension: Extension = { name: 'index', attachments: [indexAttachment] };
