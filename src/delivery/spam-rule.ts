import type { ConfigInput } from '../index.js';
import { DEFAULT_SCORE_TRUST, type ScoreTrust } from './spam-score.js';

/** The platform's spam rule: mail scoring at least `threshold` is filed into `folder` before any user script. */
export interface SpamRule {
  enabled: boolean;
  threshold: number;
  folder: string;
  /** Where the score is read, and which instance of that header is believed. */
  trust: ScoreTrust;
  /** A regular expression whose first group is the score in the header's value. */
  pattern: string;
}

export const DEFAULT_SPAM_RULE: SpamRule = {
  enabled: true,
  threshold: 4.5,
  folder: 'Junk',
  trust: DEFAULT_SCORE_TRUST,
  // `default: False [4.50 / 15.00]`: the first number in brackets; a bare number for other headers.
  pattern: '(?:\\[\\s*)?(-?[0-9]+(?:[.,][0-9]+)?)',
};

function quote(text: string): string {
  return '"' + text.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/**
 * The global before-script for the rule. spamtest's maximum is set to the threshold (see
 * `spamEngineSettings`), so `:percent` reaches 100 exactly when the score reaches it: 4.50 is Junk,
 * 4.49 is not, with no rounding between them.
 */
export function spamBeforeScript(rule: SpamRule): string {
  return [
    '# Platform spam rule: mail the spam filter scored at or above the threshold is filed away.',
    'require ["spamtestplus", "fileinto", "mailbox", "relational", "comparator-i;ascii-numeric"];',
    'if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "100" {',
    `  fileinto :create ${quote(rule.folder)};`,
    '  stop;',
    '}',
    '',
  ].join('\r\n');
}

/** The engine's spamtest settings that go with the rule: user scripts see the same scale. */
export function spamEngineSettings(rule: SpamRule): Pick<ConfigInput, 'spamtest'> {
  return {
    spamtest: { header: rule.trust.header, type: 'score', pattern: rule.pattern, max: rule.threshold },
  };
}
