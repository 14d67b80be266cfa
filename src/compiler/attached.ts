import type {
  ActionFields,
  Attachment,
  CompileContext,
  FieldSource,
  ParsedArgs,
} from '../extensions/types.js';
import type { KeepAction } from '../runtime/result.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Registry } from './registry.js';

/** The message's own fields: what a test reads when no attachment changes it. */
export const MESSAGE_FIELDS: FieldSource = {
  values: (name, rt) => rt.message.header(name),
  raw: (name, rt) => rt.message.rawHeader(name),
};

/**
 * Compiles the attachments of the node in `cx` (see `Attachment`): the field source of a test, or
 * what is added to the actions of a command.
 */
export function createAttachmentCompiler(registry: Registry): {
  fields(args: ParsedArgs, cx: CompileContext): FieldSource | null;
  actionFields(args: ParsedArgs, cx: CompileContext): ActionFields | null;
} {
  // Per name, the attachments of each kind, worked out once: sources first, then filters.
  const byName = new Map<string, { fields: Attachment[]; actions: Attachment[] }>();
  const kinds = (name: string) => {
    let k = byName.get(name);
    if (k === undefined) {
      const list = registry.attachments.get(name) ?? [];
      const fields = list.filter((a) => a.fields !== undefined);
      k = {
        fields: [
          ...fields.filter((a) => a.stage === 'source'),
          ...fields.filter((a) => a.stage !== 'source'),
        ],
        actions: list.filter((a) => a.action !== undefined),
      };
      byName.set(name, k);
    }
    return k;
  };
  return {
    fields(args, cx) {
      const list = kinds(cx.node.name).fields;
      let source: FieldSource | null = null;
      for (let i = 0; i < list.length; i++) {
        const att = list[i]!;
        const data = att.compile(args, cx);
        if (data !== null) source = att.fields!(data, source ?? MESSAGE_FIELDS);
      }
      return source;
    },
    actionFields(args, cx) {
      const list = kinds(cx.node.name).actions;
      if (list.length === 0) return null;
      if (list.length === 1) {
        const att = list[0]!;
        const data = att.compile(args, cx);
        // Most uses write none of the tags: they share one function per attachment.
        if (data === null) return untagged(att);
        return (action, rt) => att.action!(action, data, rt);
      }
      const steps: ActionFields[] = [];
      for (const att of list) {
        const data = att.compile(args, cx);
        steps.push((action, rt) => att.action!(action, data, rt));
      }
      return combine(steps);
    },
  };
}

/**
 * What the attachments of `keep` add to the implicit keep (RFC 5232 §5: it stores with the
 * internal flags as a `keep` without :flags would); null when none adds anything.
 */
export function implicitKeepFields(registry: Registry): ((keep: KeepAction, rt: Runtime) => void) | null {
  const steps: ActionFields[] = [];
  for (const att of registry.attachments.get('keep') ?? []) {
    if (att.action !== undefined) steps.push((action, rt) => att.action!(action, null, rt));
  }
  return combine(steps);
}

const untaggedSteps = new WeakMap<Attachment, ActionFields>();

function untagged(att: Attachment): ActionFields {
  let step = untaggedSteps.get(att);
  if (step === undefined) {
    step = (action, rt) => att.action!(action, null, rt);
    untaggedSteps.set(att, step);
  }
  return step;
}

function combine(steps: ActionFields[]): ActionFields | null {
  if (steps.length === 0) return null;
  if (steps.length === 1) return steps[0]!;
  return (action, rt) => {
    for (let i = 0; i < steps.length; i++) steps[i]!(action, rt);
  };
}

export type { Attachment };
