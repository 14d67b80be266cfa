/**
 * RFC 8579: `fileinto :specialuse "\\Junk" "Spam"` prefers the mailbox carrying the special-use
 * attribute (the host resolves it when it stores; the action keeps the attribute), and
 * `specialuse_exists [<mailbox>] <flags>` asks the host which mailboxes carry an attribute.
 */
import type { Argument } from '../syntax/ast.js';
import type { CompileContext, Extension } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import { checkMailboxName } from './support/mailbox-name.js';
import { normalizeMailbox } from '../runtime/result.js';
import { mailboxExists } from './mailbox.js';
import { defineTest } from './define.js';

/** RFC 6154 use-attr: a backslash and an IMAP atom. */
const SPECIAL_USE = /^\\[^\x00-\x20\x7f(){%*"\\\]]+$/;

export function isSpecialUseFlag(flag: string): boolean {
  return SPECIAL_USE.test(flag);
}

/** Checks a constant :specialuse / specialuse_exists flag at compile time. */
export function checkSpecialUse(value: SieveString, pos: Argument['pos'], cx: CompileContext): void {
  if (typeof value === 'string' && !isSpecialUseFlag(value)) {
    cx.error(pos, `invalid special-use flag "${value}" (expected a backslash and an atom, e.g. "\\\\Junk")`);
  }
}

interface SpecialUseExistsData {
  mailbox: SieveString | null;
  flags: SieveString[];
}

const specialuseExists = defineTest<SpecialUseExistsData>({
  name: 'specialuse_exists',
  positional: ['stringlist', 'stringlist'],
  optionalPositional: 1,
  compile(args, cx) {
    const [first, second] = args.positional;
    let mailbox: SieveString | null = null;
    let flagsArg = first!;
    if (second) {
      if (first!.type !== 'string')
        cx.error(first!.pos, 'specialuse_exists expects a single mailbox name, not a list');
      mailbox = cx.string(first!);
      if (typeof mailbox === 'string') {
        const problem = checkMailboxName(mailbox);
        if (problem) cx.warning(first!.pos, `specialuse_exists: ${problem}; the test will be false`);
      }
      flagsArg = second;
    }
    const flags = cx.stringList(flagsArg);
    for (const f of flags) checkSpecialUse(f, flagsArg.pos, cx);
    return { mailbox, flags };
  },
  test(d, rt) {
    const flags = rt.expandList(d.flags);
    if (!flags.every(isSpecialUseFlag)) return false;
    const lookup = (flag: string) =>
      (rt.host.specialUseMailboxes &&
        rt.ask(`specialuse\0${flag}`, () => rt.host.specialUseMailboxes!(flag))) ??
      [];
    if (d.mailbox === null) return flags.every((f) => lookup(f).length > 0);
    const mailbox = rt.expand(d.mailbox);
    if (checkMailboxName(mailbox) !== null || !mailboxExists(rt, mailbox)) return false;
    const target = normalizeMailbox(mailbox);
    return flags.every((f) => lookup(f).some((m) => normalizeMailbox(m) === target));
  },
});

/** RFC 8579. fileinto reads the :specialuse tag added here. */
export const specialUseExtension: Extension = {
  name: 'special-use',
  tests: [specialuseExists],
  tagsFor: [{ command: 'fileinto', tag: { name: 'specialuse', param: 'string' } }],
};
