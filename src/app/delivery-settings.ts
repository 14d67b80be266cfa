import { promises as fs } from 'node:fs';
import path from 'node:path';
import { checkSendingSettings, PLATFORM_MAX_REDIRECTS } from '../delivery/transport/index.js';

/**
 * The `delivery` settings: every key, its default and its meaning, in one place, for
 * `tamis deliver`, `tamis lmtp` and `tamis start`. Paths are resolved against the
 * configuration file's folder; command-line options override the file.
 */
export interface DeliverySettings {
  /** Data folder shared with `tamis managesieve`. Default `$XDG_DATA_HOME/tamis` or `./tamis-data`. */
  dataDir?: string;
  /** Dovecot passwd-file with the users. Default `<dataDir>/users`. */
  usersFile?: string;
  /** Folder holding one home per user when the users file names none. Default `<dataDir>/home`. */
  homeDir?: string;
  /** Use the home field of the users file. Default true. */
  useUsersFileHome?: boolean;
  /** `smtp://HOST:PORT` for outgoing mail (vacation, redirect, notify). Default: none (outbox folder only). */
  relay?: string;
  /** The durable queue of outgoing mail; without a relay, where it stays. Default `<dataDir>/outbox`. */
  outboxDir?: string;
  /** SQLite file of the delivery stores (vacation, duplicates, delivery records). Default `<dataDir>/delivery.sqlite`. */
  storesFile?: string;
  /** Largest message accepted, in bytes. Default 50 MB. */
  maxMessageSize?: number;
  /** Separator of subaddresses (`alice+lists@`). Default `+`. */
  detailSeparator?: string;
  /** Deliver `alice+lists@` into the folder `lists` when it exists. Default false. */
  detailMailbox?: boolean;
  /** Create folders that `fileinto` names even without `:create`. Default false. */
  autocreate?: boolean;
  /** Redirects one message may make (users may forward to up to 15 addresses). Default 15. */
  maxRedirects?: number;
  /** Sieve scripts run before the user's (after the spam rule), in order. Default none. */
  beforeScripts?: string[];
  /** Sieve scripts run after the user's, while the implicit keep is in force. Default none. */
  afterScripts?: string[];
  spam?: {
    /** Default true. */
    enabled?: boolean;
    /** Score at or above which mail goes to `folder`. Default 4.5. */
    threshold?: number;
    /** Default `Junk` (created when missing). */
    folder?: string;
    /** Header with the score. Default `X-Spamd-Result`. */
    header?: string;
    /** Which instance is believed: `above-received` (default), `topmost` or `any`. */
    trust?: 'above-received' | 'topmost' | 'any';
    /** With `above-received`: how many Received fields may stand above the trusted one. Default 1. */
    receivedHops?: number;
  };
  lmtp?: {
    /** `HOST:PORT` or a Unix socket path. Default `127.0.0.1:2424`. */
    listen?: string;
    /** Concurrent connections. Default 500. */
    maxClients?: number;
    /** Most recipients per transaction. Default 1000. */
    maxRecipients?: number;
    /** Idle time before a connection is closed, in ms. Default 300000. */
    socketTimeout?: number;
  };
  /** Outgoing mail: queue, retries, sending limits, SRS (see docs/sending.md: `delivery.sending`). */
  sending?: Record<string, unknown>;
  /** Delivery log: `stdout`, `stderr` or a file path. Default stderr for `deliver`, stdout for `lmtp`. */
  logFile?: string;
}

export const DELIVERY_DEFAULTS = {
  maxMessageSize: 50 * 1024 * 1024,
  detailSeparator: '+',
  detailMailbox: false,
  autocreate: false,
  maxRedirects: PLATFORM_MAX_REDIRECTS,
  lmtpListen: '127.0.0.1:2424',
  spam: {
    enabled: true,
    threshold: 4.5,
    folder: 'Junk',
    header: 'X-Spamd-Result',
    trust: 'above-received',
    receivedHops: 1,
  },
} as const;

const KEYS: Record<string, 'string' | 'number' | 'boolean' | 'string[]' | 'object'> = {
  dataDir: 'string',
  usersFile: 'string',
  homeDir: 'string',
  useUsersFileHome: 'boolean',
  relay: 'string',
  outboxDir: 'string',
  storesFile: 'string',
  maxMessageSize: 'number',
  detailSeparator: 'string',
  detailMailbox: 'boolean',
  autocreate: 'boolean',
  maxRedirects: 'number',
  beforeScripts: 'string[]',
  afterScripts: 'string[]',
  spam: 'object',
  lmtp: 'object',
  logFile: 'string',
  sending: 'object',
};
const SPAM_KEYS = ['enabled', 'threshold', 'folder', 'header', 'trust', 'receivedHops'];
const LMTP_KEYS = ['listen', 'maxClients', 'maxRecipients', 'socketTimeout'];

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? 'string[]' : 'array';
  return v === null ? 'null' : typeof v;
}

/** Checks a `delivery` section: unknown keys and wrong types are refused with the key's path. */
export function checkDeliverySettings(data: unknown, where = 'delivery'): DeliverySettings {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error(`${where}: must be a JSON object`);
  for (const [k, v] of Object.entries(data)) {
    const want = KEYS[k];
    if (!want) throw new Error(`${where}.${k}: unknown key`);
    if (typeOf(v) !== want)
      throw new Error(`${where}.${k}: must be ${want === 'string[]' ? 'a list of strings' : `a ${want}`}`);
    const allowed = k === 'spam' ? SPAM_KEYS : k === 'lmtp' ? LMTP_KEYS : null;
    if (allowed)
      for (const sub of Object.keys(v as object))
        if (!allowed.includes(sub)) throw new Error(`${where}.${k}.${sub}: unknown key`);
  }
  const s = data as DeliverySettings;
  if (s.sending !== undefined) {
    const problems = checkSendingSettings(s.sending, `${where}.sending`);
    if (problems.length) throw new Error(problems.join('; '));
  }
  if (s.maxMessageSize !== undefined && !(s.maxMessageSize > 0))
    throw new Error(`${where}.maxMessageSize: must be positive`);
  if (s.spam?.trust !== undefined && !['above-received', 'topmost', 'any'].includes(s.spam.trust))
    throw new Error(`${where}.spam.trust: must be above-received, topmost or any`);
  return s;
}

/**
 * Reads the delivery settings from a JSON file: its `delivery` section when it has one, else the
 * whole object. Relative paths are taken relative to the file's folder.
 */
export async function loadDeliverySettings(file: string): Promise<DeliverySettings> {
  let data: unknown;
  try {
    data = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const section =
    typeof data === 'object' && data !== null && 'delivery' in data
      ? (data as { delivery: unknown }).delivery
      : data;
  const s = checkDeliverySettings(section, `${file}: delivery`);
  const base = path.dirname(path.resolve(file));
  const rel = (p: string | undefined): string | undefined =>
    p === undefined ? undefined : path.resolve(base, p);
  return {
    ...s,
    dataDir: rel(s.dataDir),
    usersFile: rel(s.usersFile),
    homeDir: rel(s.homeDir),
    outboxDir: rel(s.outboxDir),
    storesFile: rel(s.storesFile),
    beforeScripts: s.beforeScripts?.map((p) => path.resolve(base, p)),
    afterScripts: s.afterScripts?.map((p) => path.resolve(base, p)),
    logFile: s.logFile === 'stdout' || s.logFile === 'stderr' ? s.logFile : rel(s.logFile),
  };
}
