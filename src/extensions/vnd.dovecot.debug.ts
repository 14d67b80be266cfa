/** Dovecot's `vnd.dovecot.debug`: `debug_log "text"` hands a line to the host's logger (none by default). */
import type { Extension } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import { defineCommand } from './define.js';

const debugLog = defineCommand<SieveString>({
  name: 'debug_log',
  positional: ['string'],
  compile: (args, cx) => cx.string(args.positional[0]!),
  run(message, rt) {
    rt.host.log?.(rt.expand(message));
  },
});

export const debugExtension: Extension = {
  name: 'vnd.dovecot.debug',
  commands: [debugLog],
};
