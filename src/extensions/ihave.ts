/**
 * RFC 5463: `ihave` tells whether capabilities are available and, when they are, enables them as
 * `require` would; the block of an `if ihave` naming a missing one is not compiled at all, so it
 * may use commands this engine does not know. `error` ends the script with a run-time error.
 */
import type { Extension } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import { defineCommand, defineTest } from './define.js';

/** These change how the script text itself is read, so they cannot be switched on halfway. */
const NOT_LATE = new Set(['encoded-character', 'variables']);

const ihave = defineTest<boolean>({
  name: 'ihave',
  positional: ['stringlist'],
  compile(args, cx) {
    const arg = args.positional[0]!;
    const items = arg.type === 'stringlist' ? arg.items : arg.type === 'string' ? [arg] : [];
    let available = true;
    for (const item of items) {
      const cap = item.value;
      if (cx.capabilities.has(cap)) continue;
      if (NOT_LATE.has(cap) || !cx.enable(cap)) available = false;
    }
    return available;
  },
  test: (available) => available,
  guard: (available) => available,
});

const error = defineCommand<SieveString>({
  name: 'error',
  positional: ['string'],
  compile: (args, cx) => cx.string(args.positional[0]!),
  run(message, rt) {
    rt.error(undefined, `script error: ${rt.expand(message)}`);
  },
});

/** RFC 5463. */
export const ihaveExtension: Extension = {
  name: 'ihave',
  tests: [ihave],
  commands: [error],
};
