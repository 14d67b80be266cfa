import path from 'node:path';
import { settings as s } from '../index.js';
// The modules themselves, not the transport's index: the configuration file is read by every
// command, and the index brings in the SMTP client.
import { PLATFORM_MAX_REDIRECTS } from '../delivery/policy/limits.js';
import { parseStorageSize } from '../maildir/quota.js';
import { checkSendingSettings, SENDING_SETTINGS } from '../delivery/transport/settings.js';

type AnySetting = s.Setting<unknown, unknown>;

const GROUP_DOCS: Record<string, string> = {
  retry: 'When a relay refuses or is unreachable: the retry schedule (seconds), then a bounce.',
  limits: 'Sending limits of automatic mail per user (see docs/sending.md).',
  srs: 'Sender Rewriting Scheme for redirects to other domains.',
};

/** `delivery.sending` as a schema: fields from the SENDING_SETTINGS table (for the reference), its own checker. */
function sendingSettings(): s.Setting<Record<string, unknown>> {
  const groups: Record<string, Record<string, AnySetting>> = {};
  const top: Record<string, AnySetting> = {};
  for (const [key, def] of Object.entries(SENDING_SETTINGS)) {
    const expected =
      def.kind === 'enum'
        ? `one of ${def.values!.map((v) => JSON.stringify(v)).join(', ')}`
        : def.kind === 'number'
          ? 'a number >= 0'
          : def.kind === 'number|null'
            ? 'a number >= 0 or null'
            : def.kind === 'string[]'
              ? 'an array of strings'
              : 'a string';
    const leaf: AnySetting = {
      expected,
      // A meaning that starts with a URL keeps its case.
      doc:
        (/^smtp/.test(def.meaning) ? def.meaning : def.meaning[0]!.toUpperCase() + def.meaning.slice(1)) +
        '.',
      default: def.default,
      optional: false,
      check: () => {},
    };
    const [group, name] = key.includes('.') ? key.split('.') : [undefined, key];
    if (group) (groups[group] ??= {})[name!] = leaf;
    else top[key] = leaf;
  }
  const fields: Record<string, AnySetting> = { ...top };
  for (const [g, f] of Object.entries(groups))
    fields[g] = s.object(f, { doc: GROUP_DOCS[g] ?? '' }) as AnySetting;
  const shape = s.object(fields, {
    doc: 'Outgoing mail (vacation, redirect, notify): queue, retries, sending limits, SRS; durations in seconds.',
  });
  // The table's checker knows the cross-key rules (srs.domain with srs.secret, the relay's scheme).
  return {
    ...(shape as unknown as s.Setting<Record<string, unknown>>),
    check: (value, at, problems) => problems.push(...checkSendingSettings(value, at)),
  };
}

const positive = (dflt: number, doc: string) => s.number({ integer: true, min: 1, default: dflt, doc });
const paths = (doc: string) => s.optional(s.string({ doc }));

/**
 * The `delivery` section: `tamis deliver`, `tamis lmtp` and `tamis start`. Paths are relative to the
 * configuration file's folder; command-line options override the file.
 */
export const deliverySettings = s.object(
  {
    dataDir: paths(
      'Data folder shared with `tamis managesieve`. Default `$XDG_DATA_HOME/tamis` when XDG_DATA_HOME is set, else `./tamis-data`.',
    ),
    usersFile: paths('Dovecot-style passwd-file with the users. Default `<dataDir>/users`.'),
    homeDir: paths(
      'Folder holding one home per user when the users file names none. Default `<dataDir>/home`.',
    ),
    useUsersFileHome: s.boolean({ default: true, doc: 'Use the home field of the users file.' }),
    relay: s.optional(
      s.string({
        expected: 'an smtp:// or smtps:// URL',
        check: (v) => (/^smtps?:\/\//.test(v) ? null : 'expected smtp://host:port or smtps://host:port'),
        doc: 'Relay for outgoing mail (vacation, redirect, notify); wins over `sending.relay`. Default: none.',
      }),
    ),
    outboxDir: paths(
      'The durable queue of outgoing mail; wins over `sending.outbox`. Default `<dataDir>/outbox`.',
    ),
    storesFile: paths(
      'SQLite file of the delivery stores (vacation, duplicates, delivery records). Default `<dataDir>/delivery.sqlite`.',
    ),
    maxMessageSize: positive(50 * 1024 * 1024, 'Largest message accepted (octets).'),
    detailSeparator: s.string({
      default: '+',
      check: (v) => (v ? null : 'expected a non-empty string'),
      doc: 'Separator of subaddresses (`alice+lists@`).',
    }),
    detailMailbox: s.boolean({
      default: false,
      doc: 'Deliver `alice+lists@` into the folder `lists` when it exists.',
    }),
    autocreate: s.boolean({ default: false, doc: 'Create folders `fileinto` names even without `:create`.' }),
    quota: s.optional(
      s.string({
        expected: 'a size such as "100M" (B, k, M, G, T; a bare number is kilobytes)',
        check: (v) => {
          try {
            parseStorageSize(v);
            return null;
          } catch (e) {
            return (e as Error).message;
          }
        },
        doc: 'Mailbox storage limit of users whose users-file entry sets none (`userdb_quota_rule`). Default: none.',
      }),
    ),
    reject: s.oneOf(['protocol', 'message'] as const, {
      default: 'protocol',
      doc: 'How a Sieve `reject` is answered: `protocol` refuses the message (LMTP 550 / exit 77, the MTA bounces); `message` accepts it and sends the sender a rejection MDN (RFC 5429). `ereject` always refuses.',
    }),
    quotaFullTempfail: s.boolean({
      default: false,
      doc: 'Over quota is a temporary failure (452 4.2.2 / exit 75) instead of a bounce (552 5.2.2 / 77).',
    }),
    maxRedirects: s.number({
      integer: true,
      min: 0,
      default: PLATFORM_MAX_REDIRECTS,
      doc: "Redirects one message may make (users may forward to up to 15 addresses); the engine section's `maxRedirects` wins when set.",
    }),
    beforeScripts: s.array(s.string(), {
      doc: 'Sieve scripts run before the user’s (after the spam rule), in order.',
    }),
    afterScripts: s.array(s.string(), {
      doc: 'Sieve scripts run after the user’s, while the implicit keep is in force.',
    }),
    spam: s.object(
      {
        enabled: s.boolean({ default: true, doc: 'File mail scored at or above the threshold away.' }),
        threshold: s.number({ default: 4.5, doc: 'Score at or above which mail goes to `folder`.' }),
        folder: s.string({ default: 'Junk', doc: 'Folder of spam (created when missing).' }),
        header: s.string({ default: 'X-Spamd-Result', doc: 'Header field with the score.' }),
        trust: s.oneOf(['above-received', 'topmost', 'any'] as const, {
          default: 'above-received',
          doc: 'Which instance of the header is believed.',
        }),
        receivedHops: s.number({
          integer: true,
          min: 0,
          default: 1,
          doc: 'With `above-received`: how many Received fields may stand above the trusted one.',
        }),
      },
      { doc: 'The platform spam rule, run before any other script.' },
    ),
    lmtp: s.object(
      {
        listen: s.string({ default: '127.0.0.1:2424', doc: '`HOST:PORT` or a Unix socket path.' }),
        maxClients: positive(500, 'Concurrent connections.'),
        maxRecipients: positive(1000, 'Most recipients per transaction.'),
        socketTimeout: positive(300000, 'Idle time before a connection is closed (ms).'),
      },
      { doc: 'The LMTP service (`tamis lmtp`, `tamis start`).' },
    ),
    sending: sendingSettings(),
    logFile: paths(
      'Delivery log: `stdout`, `stderr` or a file. Default stderr for `deliver`, stdout for `lmtp`.',
    ),
  },
  { doc: 'Delivery: `tamis deliver`, `tamis lmtp` and `tamis start` (LDA, LMTP, Maildir, outgoing mail).' },
);

/** What the `delivery` section may hold (every key optional). */
export type DeliverySettings = s.SettingIn<typeof deliverySettings>;

const d = deliverySettings.default!;
export const DELIVERY_DEFAULTS = {
  maxMessageSize: d.maxMessageSize,
  detailSeparator: d.detailSeparator,
  detailMailbox: d.detailMailbox,
  autocreate: d.autocreate,
  quotaFullTempfail: d.quotaFullTempfail,
  reject: d.reject,
  maxRedirects: d.maxRedirects,
  lmtpListen: d.lmtp.listen,
  spam: d.spam,
} as const;

/** Relative paths of a checked `delivery` section, taken from the configuration file's folder `dir`. */
export function deliveryPaths(v: Record<string, unknown>, dir: string): Record<string, unknown> {
  const rel = (p: unknown) => (typeof p === 'string' ? path.resolve(dir, p) : p);
  const out: Record<string, unknown> = { ...v };
  for (const k of ['dataDir', 'usersFile', 'homeDir', 'outboxDir', 'storesFile'])
    if (v[k] !== undefined) out[k] = rel(v[k]);
  for (const k of ['beforeScripts', 'afterScripts'])
    if (Array.isArray(v[k])) out[k] = (v[k] as string[]).map(rel);
  if (typeof v.logFile === 'string' && v.logFile !== 'stdout' && v.logFile !== 'stderr')
    out.logFile = rel(v.logFile);
  if (s.isPlainObject(v.sending) && typeof v.sending.outbox === 'string' && v.sending.outbox)
    out.sending = { ...v.sending, outbox: rel(v.sending.outbox) };
  return out;
}

/** Checks a `delivery` section; throws an error naming every problem with its path. */
export function checkDeliverySettings(data: unknown, where = 'delivery'): DeliverySettings {
  const problems = s.checkSetting(deliverySettings, data, where);
  if (problems.length) throw new Error(problems.join('; '));
  return data as DeliverySettings;
}
