import type { ActionFields, CompileContext, Extension, ParsedArgs } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { FileintoAction } from '../runtime/result.js';
import { checkMailboxName } from './support/mailbox-name.js';
import { checkSpecialUse, isSpecialUseFlag } from './special-use.js';
import { defineCommand } from './define.js';

function specialUseTag(args: ParsedArgs, cx: CompileContext): SieveString | null {
  const v = args.tags.get('specialuse')?.value;
  if (!v) return null;
  const flag = cx.string(v);
  checkSpecialUse(flag, v.pos, cx);
  return flag;
}

interface FileintoData {
  mailbox: SieveString;
  copy: boolean;
  create: boolean;
  /** What tags of other extensions add to the action (:flags). */
  more: ActionFields | null;
  /** RFC 8579 :specialuse. */
  specialUse: SieveString | null;
}

const fileinto = defineCommand<FileintoData>({
  name: 'fileinto',
  positional: ['string'],
  compile(args, cx) {
    const mailbox = cx.string(args.positional[0]!);
    if (typeof mailbox === 'string') {
      const problem = checkMailboxName(mailbox);
      if (problem) cx.error(args.positional[0]!.pos, problem);
    }
    return {
      mailbox,
      copy: args.tags.has('copy'),
      create: args.tags.has('create'),
      more: cx.actionFields(args),
      specialUse: specialUseTag(args, cx),
    };
  },
  run(d, rt) {
    const mailbox = rt.expand(d.mailbox);
    // A constant name was checked when the script was compiled.
    const problem = typeof d.mailbox === 'string' ? null : checkMailboxName(mailbox);
    if (problem) return rt.error(undefined, problem);
    const specialUse = d.specialUse === null ? null : rt.expand(d.specialUse);
    if (specialUse !== null && !isSpecialUseFlag(specialUse)) {
      return rt.error(undefined, `invalid special-use flag "${specialUse}" for fileinto :specialuse`);
    }
    // Fields in this order, present only when set (JSON output shows them so).
    const action: FileintoAction = { type: 'fileinto', mailbox };
    if (d.copy) action.copy = true;
    if (d.create) action.create = true;
    if (d.more) d.more(action, rt);
    if (specialUse !== null) action.specialUse = specialUse;
    rt.result.add(action, !d.copy);
  },
});

/** RFC 5228 §4.1. */
export const fileintoExtension: Extension = { name: 'fileinto', commands: [fileinto] };
