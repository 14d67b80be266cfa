import type { SieveString } from '../compiler/strings.js';
import type { Extension } from './types.js';
import type { Runtime } from '../runtime/runtime.js';
import { checkMailboxName } from './support/mailbox-name.js';
import { defineTest } from './define.js';

/**
 * RFC 5490 §3.1: true when every named mailbox exists (the host decides, and whether delivery
 * into it is allowed). A name that cannot be a mailbox makes the test false, not the script fail.
 */
const mailboxexists = defineTest<SieveString[]>({
  name: 'mailboxexists',
  positional: ['stringlist'],
  compile(args, cx) {
    const names = cx.stringList(args.positional[0]!);
    for (const n of names) {
      const problem = typeof n === 'string' ? checkMailboxName(n) : null;
      if (problem) cx.warning(args.positional[0]!.pos, `mailboxexists: ${problem}; the test will be false`);
    }
    return names;
  },
  test: (names, rt) =>
    rt.expandList(names).every((n) => checkMailboxName(n) === null && mailboxExists(rt, n)),
});

/** Asks the host whether a mailbox exists (one question per name and run). */
export function mailboxExists(rt: Runtime, name: string): boolean {
  return rt.ask(`mailboxexists\0${name}`, () => rt.host.mailboxExists(name));
}

/** RFC 5490: `mailboxexists`, and :create on fileinto (the host creates a missing mailbox). */
export const mailboxExtension: Extension = {
  name: 'mailbox',
  tests: [mailboxexists],
  tagsFor: [{ command: 'fileinto', tag: { name: 'create' } }],
};
