/**
 * Maps the Dovecot setting names used by test_config_set onto our engine configuration. A key
 * without a mapping makes the file "unsupported" rather than failed.
 */
import { readFileSync } from 'node:fs';
import type { ConfigInput, EngineConfig, ScoreTestConfig } from '../../src/index.js';
// Pigeonhole settings name lists in the short ":addrbook:..." form; the engine's own rule expands them.
import { fullListName } from '../../src/extensions/extlists.js';

type VacationConfig = EngineConfig['vacation'];

/** Dovecot durations: plain seconds or with a unit (s, m, h, d). */
function duration(v: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(v);
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const mult: Record<string, number> = {
    '': 1,
    s: 1,
    sec: 1,
    secs: 1,
    m: 60,
    min: 60,
    mins: 60,
    h: 3600,
    hour: 3600,
    hours: 3600,
    d: 86400,
    day: 86400,
    days: 86400,
  };
  return n * (mult[unit] ?? NaN);
}

/** "Header: regex" as Dovecot writes a status header setting. */
function statusHeader(v: string): Partial<ScoreTestConfig> {
  const colon = v.indexOf(':');
  if (colon < 0) return { header: v.trim() };
  return { header: v.slice(0, colon).trim(), pattern: v.slice(colon + 1).trim() };
}

/** Dovecot booleans. */
function yes(v: string): boolean {
  return /^\s*(yes|y|true|1)\s*$/i.test(v);
}

/** Boolean vacation settings: the config field and whether the setting says the opposite. */
const VACATION_FLAGS: Record<string, [keyof VacationConfig, boolean]> = {
  sieve_vacation_use_original_recipient: ['useOriginalRecipient', false],
  sieve_vacation_check_recipient: ['checkRecipient', false],
  sieve_vacation_dont_check_recipient: ['checkRecipient', true],
  sieve_vacation_send_from_recipient: ['sendFromRecipient', false],
  sieve_vacation_to_header_ignore_envelope: ['toHeaderIgnoreEnvelope', false],
};

/**
 * Dovecot external lists: each named list, with its members read from a dict file (lines
 * alternate between "priv/sieve/extlists/<member>" keys and their values).
 */
function extlists(settings: Map<string, string>, names: string): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  for (const name of names.split(/\s+/).filter(Boolean)) {
    const prefix = `sieve_extlists_list/${name}`;
    const listName = settings.get(`${prefix}/name`) ?? name;
    const path = settings.get(`${prefix}/dict/file/path`);
    const members: string[] = [];
    if (path && settings.get(`${prefix}/dict`) === 'file') {
      let lines: string[] = [];
      try {
        lines = readFileSync(path, 'utf8').split(/\r?\n/);
      } catch {
        // A missing dict file is an empty list.
      }
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const key = lines[i]!;
        if (key.startsWith('priv/sieve/extlists/')) members.push(key.slice('priv/sieve/extlists/'.length));
      }
    }
    lists[fullListName(listName)] = members;
  }
  return lists;
}

export function configFromSettings(settings: Map<string, string>): {
  config: ConfigInput;
  unsupported: string | null;
} {
  const config: ConfigInput = {};
  let unsupported: string | null = null;
  const score = (which: 'spamtest' | 'virustest') => {
    config[which] ??= { header: '', pattern: undefined };
    return config[which]!;
  };
  for (const [key, value] of settings) {
    let m: RegExpExecArray | null;
    if (key === 'sieve_max_actions') config.maxActions = Number(value);
    else if (key === 'sieve_max_redirects') config.maxRedirects = Number(value);
    else if (key === 'sieve_variables_max_variable_size' || key === 'sieve_variables_max_value_size') {
      config.maxVariableSize = Number(value);
    } else if (key === 'sieve_variables_max_scope_size') config.maxVariables = Number(value);
    else if (key === 'recipient_delimiter') config.recipientDelimiter = value;
    else if (key === 'sieve_max_cpu_time') config.maxCpuTime = duration(value);
    else if ((m = /^sieve_(spamtest|virustest)_(.+)$/.exec(key))) {
      const t = score(m[1] as 'spamtest' | 'virustest');
      const rest = m[2]!;
      let tv: RegExpExecArray | null;
      if (rest === 'status_header') Object.assign(t, statusHeader(value));
      else if (rest === 'status_type') t.type = value as ScoreTestConfig['type'];
      else if (rest === 'score_max_value') t.max = Number(value);
      else if (rest === 'score_max_header') Object.assign(t, { maxHeader: statusHeader(value) });
      else if ((tv = /^text_value\/(\d+)$/.exec(rest)))
        t.textValues = { ...t.textValues, [value]: Number(tv[1]) };
      else unsupported ??= key;
    } else if ((m = /^sieve_vacation_(min|max|default)_period$/.exec(key))) {
      config.vacation = { ...config.vacation, [`${m[1]}Period`]: duration(value) };
    } else if (key in VACATION_FLAGS) {
      const [field, invert] = VACATION_FLAGS[key]!;
      config.vacation = { ...config.vacation, [field]: yes(value) !== invert };
    } else if (key === 'sieve_vacation_default_subject') {
      config.vacation = { ...config.vacation, defaultSubject: value || undefined };
    } else if (key === 'sieve_vacation_default_subject_template') {
      config.vacation = { ...config.vacation, defaultSubjectTemplate: value || undefined };
    } else if (key === 'sieve_user_email') {
      config.userEmail = value.trim() || undefined;
    } else if (key === 'postmaster_address') {
      config.postmasterAddress = value.trim() || undefined;
    } else if (key === 'sieve_redirect_envelope_from') {
      config.redirectEnvelopeFrom = value.trim().toLowerCase().startsWith('<')
        ? value.trim()
        : value.trim().toLowerCase();
    } else if (key === 'sieve_include_max_includes') {
      config.include = { ...config.include, maxIncludes: Number(value) };
    } else if (key === 'sieve_include_max_nesting_depth') {
      config.include = { ...config.include, maxIncludeDepth: Number(value) };
    } else if (key === 'sieve_editheader_max_header_size') {
      const m2 = /^\s*(\d+)\s*([kK]?)\s*$/.exec(value);
      config.editheader = {
        ...config.editheader,
        maxHeaderSize: m2 ? Number(m2[1]) * (m2[2] ? 1024 : 1) : NaN,
      };
    } else if (key === 'sieve_editheader_header' || /^sieve_editheader_header\/[^/]+\/name$/.test(key)) {
      // The list of configured fields, read below with their flags.
    } else if ((m = /^sieve_editheader_header\/([^/]+)\/forbid_(add|delete)$/.exec(key))) {
      // Only fields named in sieve_editheader_header count.
      const listed = (settings.get('sieve_editheader_header') ?? '').toLowerCase().split(/\s+/);
      const eh = (config.editheader ??= {});
      const which = m[2] === 'add' ? 'forbidAdd' : 'forbidDelete';
      const field = m[1]!.toLowerCase();
      if (listed.includes(field) && /^(yes|true|1)$/i.test(value)) eh[which] = [...(eh[which] ?? []), field];
    } else if ((m = /^sieve_environment\/(.+)$/.exec(key))) {
      config.environment = { ...config.environment, [`vnd.dovecot.config.${m[1]!.toLowerCase()}`]: value };
    } else if (key === 'sieve_notify_max_notifications') {
      config.notify = { ...config.notify, maxNotifications: Number(value) };
    } else if (key === 'sieve_notify_mailto_envelope_from') {
      config.notify = { ...config.notify, mailtoEnvelopeFrom: value.trim() };
    } else if (key === 'sieve_extlists_list') {
      config.extlists = { lists: extlists(settings, value) };
    } else if (key.startsWith('sieve_extlists_list/')) {
      // Read with sieve_extlists_list.
    } else if ((m = /^sieve_duplicate_(default|max)_period$/.exec(key))) {
      config.duplicate = { ...config.duplicate, [`${m[1]}Period`]: duration(value) };
    } else unsupported ??= key;
  }
  return { config, unsupported };
}
