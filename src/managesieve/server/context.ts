import type { SecureContext } from 'node:tls';
import type { OAuthTokenVerifier, SaslServerMechanism, UserDirectory } from '../sasl/types.js';
import type { ScriptStore } from '../../scripts/types.js';
import type { SieveEngine } from '../../index.js';
import type { ManageSieveLimits, ManageSieveLogger, ManageSieveServerOptions } from './options.js';
import type { AuthThrottle } from './throttle.js';

/** What all sessions of one server share. */
export interface ServerContext {
  store: ScriptStore;
  directory: UserDirectory;
  mechanisms: (directory: UserDirectory, oauth: OAuthTokenVerifier | undefined) => SaslServerMechanism[];
  /** Name and plaintext flag of every mechanism, in advertising order. */
  mechanismInfo: { name: string; plaintext: boolean }[];
  oauth: OAuthTokenVerifier | undefined;
  allowedMechanisms: Set<string> | null;
  secureContext: SecureContext | null;
  implicitTls: boolean;
  insecureAuth: boolean;
  secureLoopback: boolean;
  implementation: string;
  referral: ManageSieveServerOptions['referral'];
  limits: ManageSieveLimits;
  throttle: AuthThrottle;
  logger: ManageSieveLogger | undefined;
  engine: SieveEngine;
  globalScriptsDir: string | undefined;
  /** SIEVE capability string (computed once). */
  sieveCapability(): string;
  notify(): string | null;
}
