/** The webmail settings service's options: every limit named once, with its unit and default. */
import type { SieveEngine } from '../index.js';
import type { AuthThrottleOptions } from '../managesieve/server/throttle.js';
import type { RunJson } from './run-json.js';

/** How the service reaches the ManageSieve server users log in to. */
export interface ManageSieveTarget {
  host: string;
  port: number;
  /**
   * `auto` (default): STARTTLS when the server offers it, except on loopback; `none`: never;
   * `starttls`: required; `implicit`: TLS from the first byte.
   */
  tls?: 'auto' | 'none' | 'starttls' | 'implicit';
  /** PEM of the CA(s) to trust for the server's certificate (default: the system's). */
  ca?: string | Buffer;
  /** Accept any certificate (a test server only). */
  insecure?: boolean;
  /** Time allowed for connecting and for each answer (ms). Default 30000. */
  timeoutMs?: number;
}

export interface WebmailLimits {
  /** Inactivity after which a session ends (ms). Default 30 minutes. */
  sessionIdleMs: number;
  /** Age at which a session ends however busy it is (ms). Default 8 hours. */
  sessionMaxAgeMs: number;
  /** Sessions kept at once; beyond it the one idle longest is ended. Default 10000. */
  maxSessions: number;
  /** How often expired sessions are swept (ms). Default 60000. */
  sweepIntervalMs: number;
  /** A session's ManageSieve connection is closed after this much time unused (ms). Default 5 minutes. */
  connectionIdleMs: number;
  /** Largest JSON body of the settings routes (octets). Default 1 MiB. */
  maxSettingsBody: number;
  /** Largest message POST /api/test accepts (octets). Default 10 MiB. */
  maxTestMessageSize: number;
  /**
   * Largest script accepted when the ManageSieve server does not announce one (octets); the
   * engine's maxScriptSize when an engine is given. Default 1 MiB.
   */
  maxScriptSize: number;
}

export const DEFAULT_WEBMAIL_LIMITS: WebmailLimits = {
  sessionIdleMs: 30 * 60_000,
  sessionMaxAgeMs: 8 * 3600_000,
  maxSessions: 10_000,
  sweepIntervalMs: 60_000,
  connectionIdleMs: 5 * 60_000,
  maxSettingsBody: 1024 * 1024,
  maxTestMessageSize: 10 * 1024 * 1024,
  maxScriptSize: 1024 * 1024,
};

/** The name of the script created for a user who has no active script (Roundcube's default name). */
export const DEFAULT_SCRIPT_NAME = 'managesieve';

export interface WebmailLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface WebmailServerOptions {
  managesieve: ManageSieveTarget;
  /** Folder served at `/` (index.html, app.js...); when missing, `/` answers 503. */
  pageDir?: string;
  /** Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For and -Proto are believed. */
  trustedProxies?: string[];
  /** The CSP frame-ancestors sources (default `'self'`): who may show the pages in a frame. */
  frameAncestors?: string[];
  /** Failed-login throttling, per user and per client address (the ManageSieve server's module). */
  loginThrottle?: Partial<AuthThrottleOptions>;
  limits?: Partial<WebmailLimits>;
  /** Checks scripts for /api/check and runs them for /api/test (default: a standard engine). */
  engine?: SieveEngine;
  /** The JSON shapes of `tamis test --json --trace` (actions, trace events, errors). */
  runJson?: RunJson;
  /** Script created when a user has no active one. Default `managesieve`. */
  scriptName?: string;
  logger?: WebmailLogger;
  /** Clock, for tests. */
  now?: () => number;
}

/** Sources allowed in frame-ancestors: keywords and origins, nothing that could break the header. */
export function frameAncestorProblem(source: string): string | null {
  if (/^'(self|none)'$/.test(source)) return null;
  if (/^(https?:\/\/)?(\*\.)?[A-Za-z0-9.-]+(:\d{1,5}|:\*)?$/.test(source)) return null;
  if (/^https?:$/.test(source)) return null;
  return `${JSON.stringify(source)} is not a frame-ancestors source ('self', 'none', a scheme or a host)`;
}
