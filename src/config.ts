import type { EngineConfig } from './extensions/types.js';
import { array, number, object, optional, string } from './settings/schema.js';
import { bodySettings } from './extensions/body.js';
import { duplicateSettings } from './extensions/duplicate.js';
import { editheaderSettings } from './extensions/editheader.js';
import { notifySettings } from './extensions/enotify.js';
import { environmentSettings } from './extensions/environment.js';
import { extlistsSettings } from './extensions/extlists.js';
import { includeSettings } from './extensions/include.js';
import { mimeSettings } from './extensions/mime.js';
import { spamtestSettings } from './extensions/spamtest.js';
import { subaddressSettings } from './extensions/subaddress.js';
import { vacationSettings } from './extensions/vacation.js';
import { variablesSettings } from './extensions/variables.js';
import { virustestSettings } from './extensions/virustest.js';

/**
 * The engine's settings: the core limits here, each extension's own settings from its module.
 * Limits and defaults are named here or there and nowhere else.
 */
export const engineSettings = object(
  {
    maxActions: number({ integer: true, min: 0, default: 32, doc: 'Actions one run may take.' }),
    maxRedirects: number({
      integer: true,
      min: 0,
      default: 4,
      doc: 'Redirects one run may take (advertised by ManageSieve as MAXREDIRECTS).',
    }),
    maxScriptSize: number({
      integer: true,
      min: 1,
      default: 1024 * 1024,
      doc: 'Largest script accepted (octets); ManageSieve uploads are limited by it too.',
    }),
    // Blocks and tests each; Pigeonhole's limit, so scripts it accepts are accepted here.
    maxNesting: number({ integer: true, min: 1, default: 32, doc: 'Nesting depth of blocks, and of tests.' }),
    ...variablesSettings,
    vacation: vacationSettings,
    spamtest: spamtestSettings,
    virustest: virustestSettings,
    ...subaddressSettings,
    userEmail: optional(
      string({
        doc:
          "The user's own address (Pigeonhole's sieve_user_email): vacation counts it as one of the user's " +
          'addresses and replies from it; redirect can use it as envelope sender.',
      }),
    ),
    postmasterAddress: optional(
      string({ doc: 'Address of the postmaster, for `redirectEnvelopeFrom: "postmaster"`.' }),
    ),
    redirectEnvelopeFrom: string({
      default: 'sender',
      doc:
        'Envelope sender of redirected messages (Pigeonhole\'s sieve_redirect_envelope_from): "sender", ' +
        '"recipient", "orig_recipient", "user_email", "postmaster" or "<address>" ("<>" for null). A message ' +
        'with a null sender is always redirected with a null sender.',
    }),
    disabled: array(string(), {
      doc: 'Capabilities switched off: scripts may not require them, and they are not advertised.',
    }),
    // Pigeonhole's sieve_max_cpu_time default.
    maxCpuTime: number({
      min: 0,
      default: 30,
      doc: 'Seconds a run may take before it fails ("execution exceeded CPU time limit"); 0 for no limit.',
    }),
    ...bodySettings,
    ...mimeSettings,
    include: includeSettings,
    editheader: editheaderSettings,
    duplicate: duplicateSettings,
    environment: environmentSettings,
    notify: notifySettings,
    extlists: extlistsSettings,
  },
  { doc: 'The Sieve engine: limits, extensions switched off, and the settings of each extension.' },
);

/** Engine defaults, from the settings above. */
export const defaultConfig: EngineConfig = engineSettings.default!;

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
