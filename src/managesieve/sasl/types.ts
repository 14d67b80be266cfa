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

/** Where users and their credentials come from. */
export interface UserDirectory {
  /** True when the password is right for this user. Unknown users give false (no user enumeration). */
  verifyPassword(user: string, password: string): Promise<boolean>;
  /** SCRAM-SHA-256 stored key material, when the store can provide it; null otherwise. */
  scramSha256(user: string): Promise<ScramCredentials | null>;
  /** True when the user exists. */
  exists(user: string): Promise<boolean>;
  /** Extension: false when this store can never hold SCRAM credentials (SCRAM-SHA-256 is then not offered). */
  readonly supportsScram?: boolean;
  /** Extension: the user's home directory when the store knows it, else null. */
  home?(user: string): Promise<string | null>;
}

export interface ScramCredentials {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** Verifies an OAUTHBEARER token (RFC 7628); returns the user it belongs to, or null. */
export type OAuthTokenVerifier = (token: string, claimedUser: string | null) => Promise<string | null>;
