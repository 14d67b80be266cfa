/** Users: the passwd-file directory and the password schemes it verifies. */
export { PasswdFileDirectory, parsePasswdFile, formatPasswdEntry, upsertPasswdEntry } from './passwd-file.js';
export type { PasswdEntry, PasswdFileOptions } from './passwd-file.js';
export {
  verifyPassword,
  hashPassword,
  splitScheme,
  detectCryptScheme,
  parseScramSha256,
  formatScramSha256,
  scramSha256Credentials,
  safeEqual,
  VERIFY_SCHEMES,
} from './schemes.js';
export type { HashScheme, HashOptions } from './schemes.js';
export { shaCrypt, parseShaCrypt } from './sha-crypt.js';
export type { UserDirectory, ScramCredentials } from './types.js';
export { AuthCache } from './auth-cache.js';
export type { AuthCacheOptions } from './auth-cache.js';
export { HashPool, HashPoolBusyError } from './hash-pool.js';
export type { HashPoolOptions } from './hash-pool.js';
