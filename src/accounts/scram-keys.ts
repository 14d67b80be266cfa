import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

export const hmac = (key: Buffer, data: string | Buffer): Buffer =>
  createHmac('sha256', key).update(data).digest();
export const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** The keys RFC 5802 section 3 derives from a password; the server stores StoredKey and ServerKey. */
export function scramSha256Keys(
  password: string,
  salt: Buffer,
  iterations: number,
): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { clientKey, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}
