import { decodeUtf8 } from '../../scripts/names.js';
import type { SaslServerExchange, SaslServerMechanism, SaslStep, UserDirectory } from './types.js';

/** Splits a SASL PLAIN message (RFC 4616): authzid NUL authcid NUL passwd. */
export function parsePlainMessage(
  msg: Buffer,
): { authzid: string; authcid: string; password: string } | null {
  const first = msg.indexOf(0);
  const second = first < 0 ? -1 : msg.indexOf(0, first + 1);
  if (first < 0 || second < 0 || msg.indexOf(0, second + 1) >= 0) return null;
  const authzid = decodeUtf8(msg.subarray(0, first), true);
  const authcid = decodeUtf8(msg.subarray(first + 1, second), true);
  const password = decodeUtf8(msg.subarray(second + 1), true);
  if (authzid === null || authcid === null || password === null || authcid === '' || password === '')
    return null;
  return { authzid, authcid, password };
}

export function plainMechanism(dir: UserDirectory): SaslServerMechanism {
  return {
    name: 'PLAIN',
    plaintext: true,
    start(): SaslServerExchange {
      let asked = false;
      return {
        async step(response: Buffer | null): Promise<SaslStep> {
          if (response === null) {
            if (asked) return { type: 'failure', reason: 'malformed', message: 'Missing PLAIN response.' };
            asked = true;
            return { type: 'challenge', data: Buffer.alloc(0) };
          }
          const m = parsePlainMessage(response);
          if (!m) return { type: 'failure', reason: 'malformed', message: 'Malformed PLAIN message.' };
          if (m.authzid !== '' && m.authzid !== m.authcid)
            return {
              type: 'failure',
              reason: 'credentials',
              message: 'Authorization as another user is not allowed.',
            };
          if (!(await dir.verifyPassword(m.authcid, m.password)))
            return { type: 'failure', reason: 'credentials', message: 'Authentication failed.' };
          return { type: 'success', user: m.authcid };
        },
      };
    },
  };
}
