/**
 * Maps the Dovecot setting names used by test_config_set onto our engine configuration. A key
 * without a mapping makes the file "unsupported" rather than failed.
 */
import type { ConfigInput } from '../../src/config.js';
import type { ScoreTestConfig } from '../../src/extensions/types.js';

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
    } else unsupported ??= key;
  }
  return { config, unsupported };
}
