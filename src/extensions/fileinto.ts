import type { ActionCommandDef, CompileContext, Extension, ParsedArgs } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import { flagsTag } from './base.js';
import { storeFlags } from './imap4flags-state.js';
import { checkMailboxName } from './mailbox-name.js';
import { checkSpecialUse, isSpecialUseFlag } from './special-use.js';

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
  flags: SieveString[] | null;
  /** RFC 8579 :specialuse. */
  specialUse: SieveString | null;
}

const fileinto: ActionCommandDef<FileintoData> = {
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
      flags: flagsTag(args, cx),
      specialUse: specialUseTag(args, cx),
    };
  },
  run(d, rt) {
    const mailbox = rt.expand(d.mailbox);
    const problem = checkMailboxName(mailbox);
    if (problem) return rt.error(undefined, problem);
    const specialUse = d.specialUse === null ? null : rt.expand(d.specialUse);
    if (specialUse !== null && !isSpecialUseFlag(specialUse)) {
      return rt.error(undefined, `invalid special-use flag "${specialUse}" for fileinto :specialuse`);
    }
    const flags = storeFlags(d.flags, rt);
    rt.result.add(
      {
        type: 'fileinto',
        mailbox,
        ...(d.copy ? { copy: true } : {}),
        ...(d.create ? { create: true } : {}),
        ...(flags ? { flags } : {}),
        ...(specialUse !== null ? { specialUse } : {}),
      },
      !d.copy,
    );
  },
};

/** RFC 5228 §4.1. */
export const fileintoExtension: Extension = { name: 'fileinto', commands: [fileinto as ActionCommandDef] };
