import type { ActionCommandDef, Extension } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import { flagsTag } from './base.js';
import { storeFlags } from './imap4flags-state.js';
import { checkMailboxName } from './mailbox-name.js';

interface FileintoData {
  mailbox: SieveString;
  copy: boolean;
  create: boolean;
  flags: SieveString[] | null;
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
    };
  },
  run(d, rt) {
    const mailbox = rt.expand(d.mailbox);
    const problem = checkMailboxName(mailbox);
    if (problem) return rt.error(undefined, problem);
    const flags = storeFlags(d.flags, rt);
    rt.result.add(
      {
        type: 'fileinto',
        mailbox,
        ...(d.copy ? { copy: true } : {}),
        ...(d.create ? { create: true } : {}),
        ...(flags ? { flags } : {}),
      },
      !d.copy,
    );
  },
};

/** RFC 5228 §4.1. */
export const fileintoExtension: Extension = { name: 'fileinto', commands: [fileinto as ActionCommandDef] };
