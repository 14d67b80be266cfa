import type { Extension } from './types.js';
import { rejectCommand } from './reject.js';

/** RFC 5429 §2.1: like reject, but asks the host to refuse at the protocol level whenever it can. */
export const erejectExtension: Extension = {
  name: 'ereject',
  commands: [rejectCommand('ereject')],
};
