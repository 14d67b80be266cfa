import type { SecureContextOptions } from 'node:tls';
import type { SieveEngine } from '../../index.js';
import type { OAuthTokenVerifier, SaslServerMechanism, UserDirectory } from '../sasl/types.js';
import type { ScriptStore } from '../../scripts/types.js';
import type { AuthThrottleOptions } from './throttle.js';

export interface ManageSieveLimits {
  /** Longest command line, literals excluded (bytes). Default 65536, like Dovecot. */
  maxLineLength: number;
  /** Largest literal accepted after login (bytes). Default 1 MiB, or the engine's `maxScriptSize` when larger. */
  maxLiteralSize: number;
  /** Largest literal accepted before login (SASL data). Default 16 KiB; larger ones end the connection. */
  maxPreAuthLiteralSize: number;
  /** A refused literal up to this size is read and thrown away; a larger one ends the connection. Default 16 MiB. */
  maxSkipSize: number;
  /** Invalid commands tolerated per connection before BYE. Default 20. */
  maxBadCommands: number;
  /** Failed AUTHENTICATE commands per connection before BYE. Default 3. */
  maxAuthFailuresPerConnection: number;
  /** Open connections; more are greeted with BYE and closed. Default 5000. */
  maxConnections: number;
  /** Idle time allowed after login (ms). Default 30 minutes (RFC 5804 asks for at least that). */
  idleTimeoutMs: number;
  /** Idle time allowed before login (ms). Default 3 minutes. */
  preAuthTimeoutMs: number;
  /**
   * Time from connecting (or UNAUTHENTICATE) to a completed login (ms), however busy the client is:
   * a client trickling bytes never counts as idle. Default 60 s.
   */
  loginTimeoutMs: number;
  /** Open connections from one client address (loopback included); more get BYE (TRYLATER). Default 20. */
  maxConnectionsPerAddress: number;
  /** TLS handshake time allowed after STARTTLS or on an implicit-TLS connection (ms). Default 30 s. */
  tlsHandshakeTimeoutMs: number;
  /** Compile errors reported for one script. Default 5, like Dovecot. */
  maxCompileErrors: number;
}

export const DEFAULT_LIMITS: ManageSieveLimits = {
  maxLineLength: 65536,
  maxLiteralSize: 1024 * 1024,
  maxPreAuthLiteralSize: 16 * 1024,
  maxSkipSize: 16 * 1024 * 1024,
  maxBadCommands: 20,
  maxAuthFailuresPerConnection: 3,
  maxConnections: 5000,
  idleTimeoutMs: 30 * 60_000,
  preAuthTimeoutMs: 3 * 60_000,
  loginTimeoutMs: 60_000,
  maxConnectionsPerAddress: 20,
  tlsHandshakeTimeoutMs: 30_000,
  maxCompileErrors: 5,
};

export interface ManageSieveLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The Sieve engine the server checks uploads with and whose extensions and limits it advertises. */
export type ManageSieveEngine = SieveEngine;

export interface ManageSieveServerOptions {
  /** Users and credentials. */
  directory: UserDirectory;
  /** Where scripts are kept. */
  store: ScriptStore;
  /** Builds the SASL mechanisms over a directory; defaults to serverMechanisms() (PLAIN, LOGIN, SCRAM-SHA-256, OAUTHBEARER). */
  mechanisms?: (directory: UserDirectory, oauth: OAuthTokenVerifier | undefined) => SaslServerMechanism[];
  /** Enables OAUTHBEARER. */
  oauth?: OAuthTokenVerifier;
  /** Only these mechanisms may be used (upper-case names); others the server knows answer AUTH-TOO-WEAK. */
  allowedMechanisms?: string[];
  /** Certificate and key: enables STARTTLS (or implicit TLS). */
  tls?: SecureContextOptions;
  /** Speak TLS from the first byte (no STARTTLS). Needs `tls`. */
  implicitTls?: boolean;
  /** Allow and advertise plaintext mechanisms (PLAIN, LOGIN, OAUTHBEARER) without TLS. */
  insecureAuth?: boolean;
  /**
   * Loopback connections (127.0.0.0/8, ::1) count as secure for plaintext mechanisms, as in Dovecot:
   * a webmail on the same host can log in with PLAIN without TLS. Default true.
   */
  secureLoopback?: boolean;
  /** IMPLEMENTATION capability. Default "tamis". */
  implementation?: string;
  /**
   * @deprecated Set `maxRedirects` in the engine's config, which the MAXREDIRECTS capability reports.
   * Only used to build the default engine; refused when it contradicts a given engine.
   */
  maxRedirects?: number;
  /** After login, send the user elsewhere: `BYE (REFERRAL sieve://...)`. */
  referral?: string | ((user: string) => string | null | undefined | Promise<string | null | undefined>);
  limits?: Partial<ManageSieveLimits>;
  authThrottle?: Partial<AuthThrottleOptions>;
  logger?: ManageSieveLogger;
  /**
   * Compiles uploads (PUTSCRIPT, CHECKSCRIPT) and decides what is advertised: its enabled extensions
   * (SIEVE), `config.maxRedirects` (MAXREDIRECTS) and `config.maxScriptSize`, the largest script
   * accepted (QUOTA/MAXSIZE). Default: `new SieveEngine()`.
   */
  engine?: SieveEngine;
  /** Folder of the scripts `include :global "NAME"` reads (`NAME.sieve`); without it none exist. */
  globalScriptsDir?: string;
  /** Default listen address for listen() without arguments. */
  host?: string;
  port?: number;
}
