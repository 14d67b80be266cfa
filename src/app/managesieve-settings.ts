import { settings as s } from '../index.js';
import { DEFAULT_LIMITS, type ManageSieveLimits } from '../managesieve/server/options.js';
import { DEFAULT_AUTH_THROTTLE, type AuthThrottleOptions } from '../managesieve/server/throttle.js';

export const listenProblem = (spec: string): string | null => {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(spec.trim());
  return m && Number(m[3]) <= 65535 ? null : 'expected HOST:PORT, [IPv6]:PORT or :PORT';
};

const count = (dflt: number, doc: string) => s.number({ integer: true, min: 0, default: dflt, doc });

const LIMIT_DOCS: Record<keyof ManageSieveLimits, string> = {
  maxLineLength: 'Longest command line, literals excluded (octets).',
  maxLiteralSize:
    "Largest literal accepted after login (octets); raised to the engine's maxScriptSize when that is larger.",
  maxPreAuthLiteralSize: 'Largest literal accepted before login (SASL data); larger ones end the connection.',
  maxSkipSize: 'A refused literal up to this size is read and thrown away; a larger one ends the connection.',
  maxBadCommands: 'Invalid commands tolerated per connection before BYE.',
  maxAuthFailuresPerConnection: 'Failed AUTHENTICATE commands per connection before BYE.',
  maxConnections: 'Open connections; more are greeted with BYE and closed.',
  idleTimeoutMs: 'Idle time allowed after login (ms); RFC 5804 asks for at least 30 minutes.',
  preAuthTimeoutMs: 'Idle time allowed before login (ms).',
  loginTimeoutMs: 'Time from connecting to a completed login (ms), however busy the client is.',
  maxConnectionsPerAddress:
    'Open connections from one client address (loopback included); more get BYE (TRYLATER).',
  tlsHandshakeTimeoutMs: 'TLS handshake time allowed (ms).',
  maxCompileErrors: 'Compile errors reported for one script.',
};

export const THROTTLE_DOCS: Record<keyof AuthThrottleOptions, string> = {
  windowMs: 'Failures are counted within this window, then forgotten (ms).',
  maxFailuresPerUser: 'Lock a user name out after this many failures in the window (0: never).',
  maxFailuresPerAddress: 'Lock a client address out after this many failures in the window (0: never).',
  baseDelayMs: 'Delay before answering the first failure (ms); it doubles with each further one.',
  maxDelayMs: 'Upper bound of that delay (ms).',
  maxEntries:
    'Most names and addresses remembered; the oldest are dropped beyond it, so memory stays bounded.',
};

export function numbers<K extends string>(defaults: Record<K, number>, docs: Record<K, string>) {
  const fields = {} as Record<K, ReturnType<typeof count>>;
  for (const k of Object.keys(defaults) as K[]) fields[k] = count(defaults[k], docs[k]);
  return fields;
}

/** The `managesieve` section: the ManageSieve server (RFC 5804). Paths are relative to the file. */
export const manageSieveSettings = s.object(
  {
    listen: s.string({
      default: '127.0.0.1:4190',
      expected: 'an address HOST:PORT',
      doc: 'Address to listen on: `HOST:PORT`, `[IPv6]:PORT` or `:PORT`.',
      check: listenProblem,
    }),
    dataDir: s.optional(
      s.string({
        doc: 'Data folder. Default `$XDG_DATA_HOME/tamis` when XDG_DATA_HOME is set, else `./tamis-data`.',
      }),
    ),
    usersFile: s.optional(
      s.string({ doc: 'Dovecot-style passwd-file. Default `<dataDir>/users` (created empty).' }),
    ),
    homeDir: s.optional(
      s.string({ doc: 'Folder holding one home folder per user. Default `<dataDir>/home`.' }),
    ),
    useUsersFileHome: s.boolean({
      default: true,
      doc: 'Use the home field of the users file when an entry has one.',
    }),
    tls: s.object(
      {
        cert: s.optional(s.string({ doc: 'Certificate (PEM file); given together with `key`.' })),
        key: s.optional(s.string({ doc: 'Private key (PEM file).' })),
        implicit: s.boolean({ default: false, doc: 'TLS from the first byte instead of STARTTLS.' }),
        enabled: s.boolean({
          default: true,
          doc: 'false runs without any TLS (then only non-plaintext mechanisms, or insecureAuth).',
        }),
      },
      {
        doc: 'TLS; without cert and key a self-signed pair is generated in `<dataDir>/tls` and reused.',
      },
    ),
    insecureAuth: s.boolean({ default: false, doc: 'Allow PLAIN, LOGIN and OAUTHBEARER without TLS.' }),
    implementation: s.optional(s.string({ doc: 'IMPLEMENTATION capability. Default "tamis".' })),
    globalScriptsDir: s.optional(
      s.string({ doc: 'Folder of the scripts `include :global` reads (`NAME.sieve`). Default: none.' }),
    ),
    secureLoopback: s.boolean({
      default: true,
      doc: 'Treat loopback connections as secure for PLAIN and LOGIN without TLS (as Dovecot does).',
    }),
    referral: s.optional(
      s.string({ doc: 'Send every user to this `sieve://` server after login (REFERRAL).' }),
    ),
    allowedMechanisms: s.optional(
      s.array(s.string(), {
        doc: 'SASL mechanisms users may pick (upper-case); others answer AUTH-TOO-WEAK. Default: all.',
      }),
    ),
    quota: s.object(
      {
        maxScripts: count(0, 'Most scripts per user; 0 for no limit.'),
        maxStorage: count(0, 'Most octets of all scripts of a user together; 0 for no limit.'),
      },
      { doc: "Per-user quotas. The size of one script is the engine's `maxScriptSize`." },
    ),
    limits: s.object(numbers(DEFAULT_LIMITS, LIMIT_DOCS), { doc: 'Protocol limits and timeouts.' }),
    authThrottle: s.object(numbers(DEFAULT_AUTH_THROTTLE, THROTTLE_DOCS), {
      doc: 'Slowing down and locking out password guessing.',
    }),
    hashWorkers: s.optional(
      s.number({
        min: 0,
        integer: true,
        doc: 'Threads verifying password hashes off the event loop; 0 verifies on it. Default: the number of CPUs.',
      }),
    ),
  },
  { doc: 'The ManageSieve server (RFC 5804). Uploads are checked by the engine of the `engine` section.' },
);

/** What the `managesieve` section may hold (every key optional). */
export type ManageSieveSection = s.SettingIn<typeof manageSieveSettings>;
