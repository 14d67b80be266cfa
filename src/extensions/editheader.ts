/**
 * RFC 5293: `addheader [:last] <name> <value>` and
 * `deleteheader [:index n [:last]] [COMPARATOR] [MATCH-TYPE] <name> [<value-patterns>]`.
 * Edits apply to the message the rest of the script sees; actions taken afterwards carry the
 * edited message (rt.replaceMessage). Received and Auto-Submitted cannot be deleted (§6), Subject can
 * always be edited, and the configuration can protect other fields.
 */
import type { CompiledKeys, Extension, MatchSpec } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import { EditableMessage, isFieldName } from '../message/index.js';
import { compileIndex, type FieldIndex } from './index.js';
import { array, number, object, string } from '../settings/schema.js';
import { stateKey } from '../compiler/state.js';
import { defineCommand } from './define.js';

const NEVER_DELETE = new Set(['received', 'auto-submitted']);
const ALWAYS_EDITABLE = 'subject';
/** Run state: the editor of the message in rt.message. */
const EDITOR_STATE = stateKey<EditableMessage>('editheader.editor');

/** Characters a field value may not hold (line breaks are folded, other controls tolerated). */
const BAD_VALUE = /\x00|\r(?!\n)/;

function printable(s: string): string {
  return s
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .slice(0, 80);
}

function badName(cmd: string, name: string): string {
  return `${cmd} command: specified field name "${printable(name)}" is invalid`;
}

function badValue(value: string): string {
  return `addheader command: specified value "${printable(value)}" is invalid`;
}

function tooLarge(max: number): string {
  return `addheader command: value is larger than the limit of ${max} octets`;
}

/** The editor for the message the script currently sees, started afresh when the message changed. */
function editor(rt: Runtime): EditableMessage {
  let ed = rt.state.get(EDITOR_STATE);
  if (!ed || ed.view !== rt.message) {
    ed = new EditableMessage(rt.message.raw(), rt.message);
    rt.state.set(EDITOR_STATE, ed);
  }
  return ed;
}

function publish(rt: Runtime, ed: EditableMessage): void {
  rt.replaceMessage(ed.view);
}

interface AddData {
  name: SieveString;
  value: SieveString;
  last: boolean;
}

const addheader = defineCommand<AddData>({
  name: 'addheader',
  tags: [{ name: 'last' }],
  positional: ['string', 'string'],
  compile(args, cx) {
    const name = cx.string(args.positional[0]!);
    const value = cx.string(args.positional[1]!);
    if (typeof name === 'string' && !isFieldName(name))
      cx.error(args.positional[0]!.pos, badName('addheader', name));
    if (typeof value === 'string') {
      if (BAD_VALUE.test(value)) cx.error(args.positional[1]!.pos, badValue(value));
      else if (Buffer.byteLength(value) > cx.config.editheader.maxHeaderSize) {
        cx.error(args.positional[1]!.pos, tooLarge(cx.config.editheader.maxHeaderSize));
      }
    }
    return { name, value, last: args.tags.has('last') };
  },
  run(d, rt) {
    const name = rt.expand(d.name);
    const value = rt.expand(d.value);
    if (!isFieldName(name)) return rt.error(undefined, badName('addheader', name));
    if (BAD_VALUE.test(value)) return rt.error(undefined, badValue(value));
    const max = rt.config.editheader.maxHeaderSize;
    if (Buffer.byteLength(value) > max) return rt.error(undefined, tooLarge(max));
    const key = name.toLowerCase();
    // Protected fields are left alone quietly, as RFC 5293 §6 allows.
    if (key !== ALWAYS_EDITABLE && rt.config.editheader.forbidAdd.some((f) => f.toLowerCase() === key))
      return;
    const ed = editor(rt);
    ed.addField(name, value, d.last);
    publish(rt, ed);
  },
});

interface DeleteData {
  name: SieveString;
  index: FieldIndex | null;
  spec: MatchSpec;
  patterns: CompiledKeys | null;
}

const deleteheader = defineCommand<DeleteData | null>({
  name: 'deleteheader',
  matching: true,
  tags: [{ name: 'index', param: 'number' }, { name: 'last' }],
  positional: ['string', 'stringlist'],
  optionalPositional: 1,
  compile(args, cx) {
    const index = compileIndex(args, cx);
    // One error is enough for `:last` without `:index`.
    if (args.tags.has('last') && !args.tags.has('index')) return null;
    const name = cx.string(args.positional[0]!);
    if (typeof name === 'string' && !isFieldName(name))
      cx.error(args.positional[0]!.pos, badName('deleteheader', name));
    const patterns = args.positional[1] ? cx.keys(args.positional[1], args.match!) : null;
    return { name, index, spec: args.match!, patterns };
  },
  run(d, rt) {
    if (!d) return;
    const name = rt.expand(d.name);
    if (!isFieldName(name)) return rt.error(undefined, badName('deleteheader', name));
    const key = name.toLowerCase();
    if (NEVER_DELETE.has(key)) return;
    if (key !== ALWAYS_EDITABLE && rt.config.editheader.forbidDelete.some((f) => f.toLowerCase() === key))
      return;
    if (rt.message.header(key).length === 0) return;
    const ed = editor(rt);
    const removed = ed.deleteFields(key, (value, i, count) => {
      if (d.index) {
        const wanted = d.index.last ? count - d.index.index : d.index.index - 1;
        if (i !== wanted) return false;
      }
      return d.patterns === null || rt.match([value], d.patterns, d.spec);
    });
    if (removed > 0) publish(rt, ed);
  },
});

/** RFC 5293. */
export const editheaderExtension: Extension = {
  name: 'editheader',
  commands: [addheader, deleteheader],
};

const fieldName = (doc: string) =>
  array(
    string({
      expected: 'a header field name',
      check: (s) => (isFieldName(s) ? null : 'expected a header field name'),
    }),
    {
      doc,
    },
  );

/** RFC 5293 editheader: the largest field added, and fields scripts may not touch. */
export const editheaderSettings = object(
  {
    maxHeaderSize: number({
      integer: true,
      min: 1,
      default: 2048,
      doc: 'Largest field addheader may add (octets, name and value).',
    }),
    forbidAdd: fieldName('Fields a script may not add (compared without case).'),
    forbidDelete: fieldName(
      'Fields a script may not delete (compared without case); Received and Auto-Submitted never can be, Subject always can.',
    ),
  },
  { doc: 'RFC 5293 editheader limits.' },
);
