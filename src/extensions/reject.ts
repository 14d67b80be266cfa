import type { ActionCommandDef, Extension } from './types.js';
import type { SieveString } from '../compiler/strings.js';

/**
 * reject and ereject (RFC 5429) take one reason and cancel the implicit keep. Whether the refusal
 * happens in the SMTP/LMTP dialogue or as a DSN/MDN is the host's choice (ereject prefers the
 * former); the conflicts with delivering actions and vacation are enforced by the Result.
 */
export function rejectCommand(name: 'reject' | 'ereject'): ActionCommandDef<SieveString> {
  return {
    name,
    // RFC 6785: there is no sender to refuse a message to in an IMAP event.
    contexts: ['delivery'],
    positional: ['string'],
    compile: (args, cx) => cx.string(args.positional[0]!),
    run(reason, rt) {
      rt.result.add({ type: name, reason: rt.expand(reason) }, true);
    },
  };
}

/** RFC 5429 §2.2. */
export const rejectExtension: Extension = {
  name: 'reject',
  commands: [rejectCommand('reject')],
};
