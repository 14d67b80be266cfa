import type { Extension } from './types.js';
import { scoreTest, scoreTestSettings } from './support/score-test.js';

/** RFC 5235 §3.3: `virustest` compares the message's virus status, 0 (not tested) or 1..5. */
export const virustestExtension: Extension = {
  name: 'virustest',
  tests: [scoreTest('virustest')],
};

/**
 * Where virustest reads its status. Rspamd's antivirus module adds its symbol (CLAM_VIRUS,
 * SOPHOS_VIRUS, ...: named *_VIRUS by convention) with the virus names as options, which
 * X-Spamd-Result lists; a scanned message without one is clean. Scanner failures (*_VIRUS_FAIL)
 * do not count as infected.
 */
export const virustestSettings = scoreTestSettings(
  {
    header: 'X-Spamd-Result',
    type: 'text',
    pattern: '(?:^|[\\s;])([A-Za-z0-9_]*_VIRUS)\\(',
    max: 5,
    textValues: { clean: 1, '*': 5 },
    unmatched: 'clean',
  },
  5,
  "RFC 5235 virustest: where the message's virus status is read (by default Rspamd's *_VIRUS symbols).",
);
