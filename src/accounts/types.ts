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
