/** The `webmail` section: the webmail settings service. Paths are relative to the file. */
import path from 'node:path';
import { settings as s } from '../index.js';
import { DEFAULT_AUTH_THROTTLE } from '../managesieve/server/throttle.js';
import { DEFAULT_SCRIPT_NAME, DEFAULT_WEBMAIL_LIMITS, frameAncestorProblem } from '../webmail/options.js';
import { listenProblem, numbers, THROTTLE_DOCS } from './managesieve-settings.js';

const count = (dflt: number, doc: string, min = 0) => s.number({ integer: true, min, default: dflt, doc });
const L = DEFAULT_WEBMAIL_LIMITS;

export const webmailSettings = s.object(
  {
    listen: s.string({
      default: '127.0.0.1:8080',
      expected: 'an address HOST:PORT',
      doc: 'Address the HTTP server listens on: `HOST:PORT`, `[IPv6]:PORT` or `:PORT`.',
      check: listenProblem,
    }),
    managesieve: s.string({
      default: '127.0.0.1:4190',
      expected: 'an address HOST:PORT',
      doc: 'The ManageSieve server users log in to (`tamis start` points it at its own).',
      check: listenProblem,
    }),
    managesieveTls: s.oneOf(['auto', 'none', 'starttls', 'implicit'] as const, {
      default: 'auto',
      doc: '`auto`: STARTTLS when the server offers it, except on loopback; `starttls` requires it; `implicit`: TLS from the first byte.',
    }),
    managesieveCa: s.optional(
      s.string({ doc: "CA certificate(s) (PEM file) for the ManageSieve server's certificate." }),
    ),
    managesieveInsecure: s.boolean({
      default: false,
      doc: 'Accept any ManageSieve certificate (test servers only).',
    }),
    pageDir: s.optional(
      s.string({ doc: 'Folder of the pages served at `/`. Default: `webmail/page` of the installed build.' }),
    ),
    scriptName: s.string({
      default: DEFAULT_SCRIPT_NAME,
      doc: 'Script created (and activated) for a user who has no active script.',
      check: (v) => (v && !/[\x00-\x1f\x7f]/.test(v) ? null : 'expected a script name'),
    }),
    trustedProxies: s.array(s.string(), {
      doc: 'Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.',
    }),
    frameAncestors: s.array(s.string({ check: frameAncestorProblem }), {
      default: ["'self'"],
      doc: 'CSP frame-ancestors: who may show the pages in a frame (e.g. the Roundcube origin). `[]` forbids framing.',
    }),
    session: s.object(
      {
        idleTimeoutMs: count(L.sessionIdleMs, 'A session ends after this much inactivity (ms).', 1000),
        maxAgeMs: count(L.sessionMaxAgeMs, 'A session ends at this age however busy (ms).', 1000),
        maxSessions: count(L.maxSessions, 'Sessions kept at once; beyond it the one idle longest ends.', 1),
      },
      { doc: 'Logged-in sessions (kept in memory).' },
    ),
    limits: s.object(
      {
        maxTestMessageSize: count(
          L.maxTestMessageSize,
          'Largest message POST /api/test accepts (octets).',
          1,
        ),
        maxSettingsBody: count(L.maxSettingsBody, 'Largest JSON body of the other routes (octets).', 1024),
        connectionIdleMs: count(
          L.connectionIdleMs,
          "A session's ManageSieve connection is closed when unused this long (ms); it reopens when needed.",
          1000,
        ),
      },
      { doc: "Request limits. Scripts are limited by the engine's `maxScriptSize`." },
    ),
    loginThrottle: s.object(numbers(DEFAULT_AUTH_THROTTLE, THROTTLE_DOCS), {
      doc: 'Slowing down and locking out password guessing, per user and per client address.',
    }),
  },
  { doc: 'The webmail settings service (HTTP): vacation, forwarding and filters over ManageSieve.' },
);

export type WebmailSection = s.SettingIn<typeof webmailSettings>;

export function webmailPaths(v: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out = { ...v };
  for (const k of ['pageDir', 'managesieveCa'])
    if (typeof v[k] === 'string') out[k] = path.resolve(dir, v[k] as string);
  return out;
}
