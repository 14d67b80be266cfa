import { loginMechanism } from './login.js';
import { oauthBearerMechanism, type OAuthBearerOptions } from './oauthbearer.js';
import { plainMechanism } from './plain.js';
import { scramSha256Mechanism } from './scram-sha-256.js';
import type { OAuthTokenVerifier, SaslServerMechanism, UserDirectory } from './types.js';

export type * from './types.js';
export { plainMechanism, parsePlainMessage } from './plain.js';
export { loginMechanism } from './login.js';
export { scramSha256Mechanism, parseClientFirst } from './scram-sha-256.js';
export { decodeSaslName, encodeSaslName } from './gs2.js';
export { oauthBearerMechanism, parseOAuthBearer } from './oauthbearer.js';
export type { OAuthBearerOptions, OAuthBearerMessage } from './oauthbearer.js';
export type { ScramClientFirst } from './scram-sha-256.js';

export interface ServerMechanismOptions {
  /** Enables OAUTHBEARER with this token verifier. */
  oauth?: OAuthTokenVerifier;
  oauthOptions?: OAuthBearerOptions;
  /** Set false to leave SCRAM-SHA-256 out; by default it is offered unless `dir.supportsScram === false`. */
  scram?: boolean;
}

/** The server-side mechanisms for a directory, in advertising order: PLAIN, LOGIN, SCRAM-SHA-256, OAUTHBEARER. */
export function serverMechanisms(
  dir: UserDirectory,
  opts: ServerMechanismOptions = {},
): SaslServerMechanism[] {
  const mechs = [plainMechanism(dir), loginMechanism(dir)];
  if (opts.scram !== false && dir.supportsScram !== false) mechs.push(scramSha256Mechanism(dir));
  if (opts.oauth) mechs.push(oauthBearerMechanism(opts.oauth, opts.oauthOptions));
  return mechs;
}
