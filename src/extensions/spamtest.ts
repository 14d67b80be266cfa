import type { Extension } from './types.js';
import { scoreTest, scoreTestSettings } from './support/score-test.js';

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

/**
 * Where spamtest reads its score. Rspamd (milter_headers, extended_spam_headers) writes
 * "X-Spamd-Result: default: False [3.40 / 15.00]; SYMBOL(1.00)[...]; ...": the score, then the
 * score at which it rejects, which serves as the maximum.
 */
export const spamtestSettings = scoreTestSettings(
  {
    header: 'X-Spamd-Result',
    type: 'score',
    pattern: '\\[\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*/\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*\\]',
    max: 15,
  },
  10,
  "RFC 5235 spamtest: where the message's spam score is read (by default Rspamd's X-Spamd-Result).",
);
