import type { Extension } from './types.js';
import { scoreTest } from './support/score-test.js';

/** RFC 5235 §3.1: `spamtest` compares the message's spam score, 0 (not tested) or 1..10. */
export const spamtestExtension: Extension = {
  name: 'spamtest',
  tests: [scoreTest('spamtest')],
};

/** RFC 5235 §3.2: spamtestplus brings spamtest along and allows its :percent tag (0..100). */
export const spamtestplusExtension: Extension = {
  name: 'spamtestplus',
  implies: ['spamtest'],
};
