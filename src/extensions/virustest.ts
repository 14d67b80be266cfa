import type { Extension } from './types.js';
import { scoreTest } from './support/score-test.js';

/** RFC 5235 §3.3: `virustest` compares the message's virus status, 0 (not tested) or 1..5. */
export const virustestExtension: Extension = {
  name: 'virustest',
  tests: [scoreTest('virustest')],
};
