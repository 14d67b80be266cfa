import type { EngineConfig } from './extensions/types.js';

/** Engine defaults; every limit is named here and nowhere else. */
export const defaultConfig: EngineConfig = {
  maxActions: 32,
  maxRedirects: 4,
  maxScriptSize: 1024 * 1024,
  maxNesting: 64,
  maxVariables: 255,
  maxVariableSize: 4096,
  maxMatchValues: 100,
  vacation: { minPeriod: 24 * 3600, maxPeriod: 90 * 24 * 3600, defaultPeriod: 7 * 24 * 3600 },
  // Rspamd (milter_headers, extended_spam_headers) writes
  // "X-Spamd-Result: default: False [3.40 / 15.00]; SYMBOL(1.00)[...]; ...": the score, then the
  // score at which it rejects, which serves as the maximum.
  spamtest: {
    header: 'X-Spamd-Result',
    type: 'score',
    pattern: '\\[\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*/\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*\\]',
    max: 15,
  },
  // Rspamd's antivirus module adds its symbol (CLAM_VIRUS, SOPHOS_VIRUS, ...: named *_VIRUS by
  // convention) with the virus names as options, which X-Spamd-Result lists; a scanned message
  // without one is clean. Scanner failures (*_VIRUS_FAIL) do not count as infected.
  virustest: {
    header: 'X-Spamd-Result',
    type: 'text',
    pattern: '(?:^|[\\s;])([A-Za-z0-9_]*_VIRUS)\\(',
    max: 5,
    textValues: { clean: 1, '*': 5 },
    unmatched: 'clean',
  },
  recipientDelimiter: '+',
  disabled: [],
};

/** Settings a user may give in a JSON config file; nested objects merge over the defaults. */
export type ConfigInput = Partial<Omit<EngineConfig, 'vacation' | 'spamtest' | 'virustest'>> & {
  vacation?: Partial<EngineConfig['vacation']>;
  spamtest?: Partial<EngineConfig['spamtest']>;
  virustest?: Partial<EngineConfig['virustest']>;
};

export function resolveConfig(input: ConfigInput = {}): EngineConfig {
  return {
    ...defaultConfig,
    ...input,
    vacation: { ...defaultConfig.vacation, ...input.vacation },
    spamtest: mergeScore(defaultConfig.spamtest, input.spamtest),
    virustest: mergeScore(defaultConfig.virustest, input.virustest),
    disabled: input.disabled ?? defaultConfig.disabled,
  };
}

/**
 * A config naming another header describes another source: only `max` is kept from the default,
 * and without a type or pattern the header holds a plain score.
 */
function mergeScore(
  base: EngineConfig['spamtest'],
  over?: Partial<EngineConfig['spamtest']>,
): EngineConfig['spamtest'] {
  if (!over) return base;
  if (over.header && over.header !== base.header)
    return { type: 'score', max: base.max, ...over, header: over.header };
  return { ...base, ...over };
}
