import type { DeliveryStores } from '../../stores/types.js';
import { DEFAULT_SENDING_LIMITS, SENDING_PLANS, type SendingLimits } from '../policy/limits.js';
import { DEFAULT_RETRY, type RetrySchedule } from './schedule.js';

/** Sender Rewriting Scheme for redirects to other domains (see policy/srs.ts). */
export interface SrsOptions {
  secret: string;
  /** The domain rewritten senders are at (`SRS0=...@domain`). */
  domain: string;
  /** Further domains of ours, whose senders are not rewritten and whose recipients need no SRS. */
  localDomains?: string[];
  /** Days a rewritten sender stays valid for bounces (default 21). */
  maxAge?: number;
}

export interface OutboxOptions {
  /** The durable queue folder; with no relay, sent mail is written into `dir/sent/`. */
  dir: string;
  /** `smtp://[user:pass@]host:port` or `smtps://...`. */
  relay?: string;
  /** Seconds to wait for the relay to connect and answer (default 60; DATA may take 5 times that). */
  relayTimeout?: number;
  /** A sendmail-compatible program to hand mail to instead (`/usr/sbin/sendmail`); `relay` wins. */
  sendmail?: string;
  /** `counters` is used for the sending limits (in memory when absent). */
  stores?: DeliveryStores;
  limits?: Partial<SendingLimits>;
  /** Per-user limits (a user's plan) over `limits`. */
  limitsFor?: (user: string) => Partial<SendingLimits> | undefined;
  srs?: SrsOptions;
  retry?: Partial<RetrySchedule>;
  /** This host's name, for the bounces the outbox sends (default: the system's host name). */
  hostname?: string;
  log?: (line: Record<string, unknown>) => void;
  /** The time in ms (tests move it on to release held mail); Date.now by default. */
  clock?: () => number;
}

type Kind = 'string' | 'number' | 'number|null' | 'string[]' | 'enum';

interface Setting {
  kind: Kind;
  default: unknown;
  meaning: string;
  values?: readonly string[];
}

/**
 * The `delivery.sending` keys of the configuration file: type, default and meaning of each, in
 * one place. Durations are seconds.
 */
export const SENDING_SETTINGS: Record<string, Setting> = {
  relay: {
    kind: 'string',
    default: '',
    meaning: 'smtp://[user:pass@]host:port or smtps://...; empty: write into the outbox sent/ folder',
  },
  sendmail: {
    kind: 'string',
    default: '',
    meaning: 'a sendmail-compatible program (/usr/sbin/sendmail) used when no relay is set',
  },
  outbox: { kind: 'string', default: '', meaning: 'the queue folder; empty: outbox/ in the data folder' },
  hostname: {
    kind: 'string',
    default: '',
    meaning: 'name in bounces (Reporting-MTA, MAILER-DAEMON@); empty: the system host name',
  },
  'retry.first': { kind: 'number', default: DEFAULT_RETRY.first, meaning: 'seconds before the first retry' },
  'retry.factor': {
    kind: 'number',
    default: DEFAULT_RETRY.factor,
    meaning: 'each wait is the previous one times this',
  },
  'retry.max': { kind: 'number', default: DEFAULT_RETRY.max, meaning: 'longest wait between attempts' },
  'retry.giveUpAfter': {
    kind: 'number',
    default: DEFAULT_RETRY.giveUpAfter,
    meaning: 'seconds after queueing when a message is bounced',
  },
  'limits.plan': {
    kind: 'enum',
    default: '',
    values: ['', ...Object.keys(SENDING_PLANS)],
    meaning: 'hourly/daily/monthly caps of a plan (small, medium, large)',
  },
  'limits.maxRecipients': {
    kind: 'number',
    default: DEFAULT_SENDING_LIMITS.maxRecipients,
    meaning: 'recipients per envelope; more are split',
  },
  'limits.perMinute': {
    kind: 'number',
    default: DEFAULT_SENDING_LIMITS.perMinute,
    meaning: 'automatic sends per user per minute (recipients)',
  },
  'limits.perHour': { kind: 'number|null', default: null, meaning: 'per user per hour; null: no cap' },
  'limits.perDay': { kind: 'number|null', default: null, meaning: 'per user per 24 hours; null: no cap' },
  'limits.perMonth': { kind: 'number|null', default: null, meaning: 'per user per 30 days; null: no cap' },
  'limits.overLimit': {
    kind: 'enum',
    default: 'hold',
    values: ['hold', 'drop'],
    meaning: 'over a limit: hold until allowed, or drop',
  },
  'limits.holdFor': {
    kind: 'number',
    default: DEFAULT_SENDING_LIMITS.holdFor,
    meaning: 'seconds a held send waits before it is dropped',
  },
  'srs.secret': { kind: 'string', default: '', meaning: 'HMAC key of SRS; empty: no rewriting' },
  'srs.domain': { kind: 'string', default: '', meaning: 'domain of rewritten senders' },
  'srs.localDomains': { kind: 'string[]', default: [], meaning: 'our other domains: not rewritten' },
  'srs.maxAge': { kind: 'number', default: 21, meaning: 'days a rewritten sender is accepted back' },
};

function fits(kind: Kind, v: unknown, values?: readonly string[]): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && v >= 0;
    case 'number|null':
      return v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
    case 'string[]':
      return Array.isArray(v) && v.every((s) => typeof s === 'string');
    case 'enum':
      return typeof v === 'string' && (values ?? []).includes(v);
  }
}

/** Problems in a `sending` section, each with its path; empty when it is fine. */
export function checkSendingSettings(value: unknown, path = 'delivery.sending'): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value)) return [`${path}: expected an object`];
  const visit = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const setting = SENDING_SETTINGS[key];
      if (setting) {
        if (!fits(setting.kind, v, setting.values))
          problems.push(
            `${path}.${key}: expected ${setting.kind === 'enum' ? setting.values!.map((s) => JSON.stringify(s)).join(' or ') : setting.kind}`,
          );
      } else if (isObject(v) && ['retry', 'limits', 'srs'].includes(key)) visit(v, key);
      else problems.push(`${path}.${key}: unknown setting`);
    }
  };
  visit(value, '');
  const srs = value.srs;
  if (isObject(srs) && typeof srs.secret === 'string' && srs.secret !== '' && !srs.domain) {
    problems.push(`${path}.srs.domain: needed when srs.secret is set`);
  }
  if (typeof value.relay === 'string' && value.relay !== '' && !/^smtps?:\/\//.test(value.relay)) {
    problems.push(`${path}.relay: expected smtp://host:port or smtps://host:port`);
  }
  return problems;
}

/** Outbox options from a checked `sending` section; `dataDir` is where the default outbox lives. */
export function outboxOptionsFrom(
  section: Record<string, unknown>,
  dataDir: string,
  extra: Pick<OutboxOptions, 'stores' | 'log' | 'limitsFor'> = {},
): OutboxOptions {
  const get = <T>(key: string): T => {
    let v: unknown = section;
    for (const part of key.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
    return (v === undefined ? SENDING_SETTINGS[key]!.default : v) as T;
  };
  const plan = get<string>('limits.plan');
  // A plan sets the three caps; a cap set explicitly wins over the plan's.
  const caps: Partial<SendingLimits> = plan ? SENDING_PLANS[plan as keyof typeof SENDING_PLANS] : {};
  const cap = (key: 'perHour' | 'perDay' | 'perMonth') =>
    get<number | null>(`limits.${key}`) ?? caps[key] ?? null;
  const limits: Partial<SendingLimits> = {
    maxRecipients: get('limits.maxRecipients'),
    perMinute: get('limits.perMinute'),
    perHour: cap('perHour'),
    perDay: cap('perDay'),
    perMonth: cap('perMonth'),
    overLimit: get('limits.overLimit'),
    holdFor: get('limits.holdFor'),
  };
  const secret = get<string>('srs.secret');
  return {
    dir: get<string>('outbox') || `${dataDir}/outbox`,
    ...(get<string>('relay') ? { relay: get<string>('relay') } : {}),
    ...(get<string>('sendmail') ? { sendmail: get<string>('sendmail') } : {}),
    ...(get<string>('hostname') ? { hostname: get<string>('hostname') } : {}),
    limits,
    retry: {
      first: get('retry.first'),
      factor: get('retry.factor'),
      max: get('retry.max'),
      giveUpAfter: get('retry.giveUpAfter'),
    },
    ...(secret
      ? {
          srs: {
            secret,
            domain: get<string>('srs.domain'),
            localDomains: get<string[]>('srs.localDomains'),
            maxAge: get<number>('srs.maxAge'),
          },
        }
      : {}),
    ...extra,
  };
}
