export type { UserDirectory, ScramCredentials } from '../../accounts/types.js';

/**
 * One step of a server-side SASL exchange. `data` is raw bytes: the ManageSieve server base64-encodes
 * challenges (and the success data it puts in `OK (SASL "...")`) and decodes client responses.
 */
export type SaslStep =
  | { type: 'challenge'; data: Buffer }
  | { type: 'success'; user: string; /** Final server data (e.g. SCRAM's server signature). */ data?: Buffer }
  | { type: 'failure'; reason: 'credentials' | 'malformed' | 'unavailable'; message: string };

/** A server-side exchange for one AUTHENTICATE command. */
export interface SaslServerExchange {
  /** Called with the initial response (null when none was sent), then with each client response. */
  step(response: Buffer | null): Promise<SaslStep>;
}

export interface SaslServerMechanism {
  /** Upper-case mechanism name as advertised, e.g. "PLAIN". */
  readonly name: string;
  /** True when the mechanism sends the password in the clear (refused before TLS unless allowed). */
  readonly plaintext: boolean;
  start(context: { secure: boolean; remoteAddress: string }): SaslServerExchange;
}

/** Verifies an OAUTHBEARER token (RFC 7628); returns the user it belongs to, or null. */
export type OAuthTokenVerifier = (token: string, claimedUser: string | null) => Promise<string | null>;
