import { randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeUtf8 } from '../../scripts/names.js';
import { hmac, sha256, scramSha256Keys } from '../../accounts/scram-keys.js';

export { hmac, scramSha256Keys };
import { decodeSaslName, parseGs2 } from './gs2.js';
import type {
  SaslServerExchange,
  SaslServerMechanism,
  SaslStep,
  ScramCredentials,
  UserDirectory,
} from './types.js';

/** Byte-wise XOR over `a`'s length: ClientProof = ClientKey XOR ClientSignature, and back. */
export function xorBytes(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export interface ScramClientFirst {
  gs2Header: string;
  authzid: string | null;
  user: string;
  nonce: string;
  bare: string;
}

const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/** Parses a client-first-message (RFC 5802 section 7). Channel binding ("p=") is not supported. */
export function parseClientFirst(msg: string): ScramClientFirst | string {
  const gs2 = parseGs2(msg);
  if (!gs2) return 'Malformed SCRAM client-first message.';
  if (gs2.channelBinding) return 'Channel binding is not supported.';
  if (!gs2.authzidOk) return 'Malformed SCRAM authorization identity.';
  const { authzid, rest: bare } = gs2;
  const attrs = bare.split(',');
  if (attrs[0]!.startsWith('m=')) return 'Mandatory SCRAM extensions are not supported.';
  if (attrs.length < 2 || !attrs[0]!.startsWith('n=') || !attrs[1]!.startsWith('r='))
    return 'Malformed SCRAM client-first message.';
  const user = decodeSaslName(attrs[0]!.slice(2));
  const nonce = attrs[1]!.slice(2);
  if (user === null || user === '') return 'Malformed SCRAM user name.';
  if (!NONCE.test(nonce)) return 'Malformed SCRAM nonce.';
  return { gs2Header: gs2.header, authzid, user, nonce, bare };
}

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel binding. Unknown users go through the whole
 * exchange with made-up credentials and fail at the end, so the exchange does not reveal who exists;
 * an existing user whose password is not stored in SCRAM form gets an explicit failure.
 */
export function scramSha256Mechanism(dir: UserDirectory): SaslServerMechanism {
  const fakeSecret = randomBytes(32);
  return {
    name: 'SCRAM-SHA-256',
    plaintext: false,
    start(): SaslServerExchange {
      let stage: 'start' | 'first' | 'final' | 'done' = 'start';
      let first: ScramClientFirst;
      let creds: ScramCredentials;
      let known = false;
      let serverFirst = '';
      let nonce = '';
      const fail = (reason: 'credentials' | 'malformed' | 'unavailable', message: string): SaslStep => {
        stage = 'done';
        return { type: 'failure', reason, message };
      };
      return {
        async step(response: Buffer | null): Promise<SaslStep> {
          if (stage === 'start' && (response === null || response.length === 0)) {
            stage = 'first';
            return { type: 'challenge', data: Buffer.alloc(0) };
          }
          if (stage === 'start') stage = 'first';
          if (response === null) return fail('malformed', 'Missing SCRAM response.');
          const text = decodeUtf8(response);
          if (text === null) return fail('malformed', 'SCRAM messages must be UTF-8.');

          if (stage === 'first') {
            const parsed = parseClientFirst(text);
            if (typeof parsed === 'string') return fail('malformed', parsed);
            first = parsed;
            if (first.authzid !== null && first.authzid !== first.user)
              return fail('credentials', 'Authorization as another user is not allowed.');
            const stored = await dir.scramSha256(first.user);
            if (stored) {
              creds = stored;
              known = true;
            } else if (await dir.exists(first.user)) {
              return fail(
                'unavailable',
                'SCRAM-SHA-256 is not available for this account: its password is not stored in SCRAM-SHA-256 form.',
              );
            } else {
              // Stable per user, so repeated attempts see the same salt as for a real account.
              const salt = hmac(fakeSecret, first.user).subarray(0, 16);
              creds = { salt, iterations: 4096, storedKey: randomBytes(32), serverKey: randomBytes(32) };
            }
            nonce = first.nonce + randomBytes(18).toString('base64');
            serverFirst = `r=${nonce},s=${creds.salt.toString('base64')},i=${creds.iterations}`;
            stage = 'final';
            return { type: 'challenge', data: Buffer.from(serverFirst) };
          }

          if (stage === 'final') {
            const m = /^(c=([A-Za-z0-9+/=]*),r=([^,]*)(?:,[^,]*)*?),p=([A-Za-z0-9+/=]+)$/.exec(text);
            if (!m) return fail('malformed', 'Malformed SCRAM client-final message.');
            const [, withoutProof, cb, r, proofB64] = m as unknown as [
              string,
              string,
              string,
              string,
              string,
            ];
            if (Buffer.from(cb, 'base64').toString('utf8') !== first.gs2Header)
              return fail('malformed', 'SCRAM channel binding data does not match.');
            if (r !== nonce) return fail('malformed', 'SCRAM nonce mismatch.');
            const proof = Buffer.from(proofB64, 'base64');
            const authMessage = `${first.bare},${serverFirst},${withoutProof}`;
            const clientSignature = hmac(creds.storedKey, authMessage);
            if (proof.length !== clientSignature.length) return fail('credentials', 'Authentication failed.');
            const clientKey = xorBytes(proof, clientSignature);
            const ok = timingSafeEqual(sha256(clientKey), creds.storedKey);
            if (!ok || !known) return fail('credentials', 'Authentication failed.');
            stage = 'done';
            const serverSignature = hmac(creds.serverKey, authMessage);
            return {
              type: 'success',
              user: first.user,
              data: Buffer.from(`v=${serverSignature.toString('base64')}`),
            };
          }
          return fail('malformed', 'Exchange already finished.');
        },
      };
    },
  };
}
