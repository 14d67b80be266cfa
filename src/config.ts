import type { EngineConfig } from './extensions/types.js';

/** Engine defaults; every limit is named here and nowhere else. */
export const defaultConfig: EngineConfig = {
  maxActions: 32,
  maxRedirects: 4,
  maxScriptSize: 1024 * 1024,
  // Blocks and tests each; Pigeonhole's limit, so scripts it accepts are accepted here.
  maxNesting: 32,
  maxVariables: 255,
  maxVariableSize: 4096,
  maxMatchValues: 100,
  maxMatchIndex: 32,
  maxVariableNameLength: 64,
  vacation: {
    minPeriod: 24 * 3600,
    maxPeriod: 90 * 24 * 3600,
    defaultPeriod: 7 * 24 * 3600,
    useOriginalRecipient: false,
    checkRecipient: true,
    sendFromRecipient: false,
    toHeaderIgnoreEnvelope: false,
  },
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
  redirectEnvelopeFrom: 'sender',
  disabled: [],
  // Pigeonhole's sieve_max_cpu_time default.
  maxCpuTime: 30,
  maxBodySize: 4 * 1024 * 1024,
  maxMimeParts: 1000,
  maxMimeDepth: 32,
  include: { maxIncludes: 255, maxIncludeDepth: 10 },
  editheader: { maxHeaderSize: 2048, forbidAdd: [], forbidDelete: [] },
  duplicate: { defaultPeriod: 14 * 24 * 3600, maxPeriod: 30 * 24 * 3600 },
  environment: {},
  // Pigeonhole's sieve_notify_max_notifications default.
  notify: { maxNotifications: 10, mailtoEnvelopeFrom: '' },
  extlists: { lists: {}, hostLists: [] },
};

/** Settings a user may give in a JSON config file; nested objects merge over the defaults. */
export type ConfigInput = Partial<
  Omit<
    EngineConfig,
    'vacation' | 'spamtest' | 'virustest' | 'include' | 'editheader' | 'duplicate' | 'notify' | 'extlists'
  >
> & {
  notify?: Partial<EngineConfig['notify']>;
  extlists?: Partial<EngineConfig['extlists']>;
  vacation?: Partial<EngineConfig['vacation']>;
  include?: Partial<EngineConfig['include']>;
  editheader?: Partial<EngineConfig['editheader']>;
  duplicate?: Partial<EngineConfig['duplicate']>;
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
    include: { ...defaultConfig.include, ...input.include },
    editheader: { ...defaultConfig.editheader, ...input.editheader },
    duplicate: { ...defaultConfig.duplicate, ...input.duplicate },
    environment: { ...defaultConfig.environment, ...input.environment },
    notify: { ...defaultConfig.notify, ...input.notify },
    extlists: { ...defaultConfig.extlists, ...input.extlists },
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
