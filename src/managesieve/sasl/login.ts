import { decodeUtf8 } from '../../scripts/names.js';
import type { SaslServerExchange, SaslServerMechanism, SaslStep, UserDirectory } from './types.js';

/** The non-standard but widely used LOGIN mechanism: the server asks "Username:" then "Password:". */
export function loginMechanism(dir: UserDirectory): SaslServerMechanism {
  return {
    name: 'LOGIN',
    plaintext: true,
    start(): SaslServerExchange {
      let stage: 'start' | 'user' | 'password' | 'done' = 'start';
      let user = '';
      return {
        async step(response: Buffer | null): Promise<SaslStep> {
          if (stage === 'start') {
            // Some clients send the user name as an initial response.
            stage = 'user';
            if (response === null || response.length === 0)
              return { type: 'challenge', data: Buffer.from('Username:') };
          }
          switch (stage) {
            case 'user': {
              const u = response === null ? null : decodeUtf8(response, true);
              if (!u || u.includes('\0')) {
                stage = 'done';
                return { type: 'failure', reason: 'malformed', message: 'Invalid user name.' };
              }
              user = u;
              stage = 'password';
              return { type: 'challenge', data: Buffer.from('Password:') };
            }
            case 'password': {
              stage = 'done';
              const p = response === null ? null : decodeUtf8(response, true);
              if (p === null || p === '' || p.includes('\0'))
                return { type: 'failure', reason: 'malformed', message: 'Invalid password.' };
              if (!(await dir.verifyPassword(user, p)))
                return { type: 'failure', reason: 'credentials', message: 'Authentication failed.' };
              return { type: 'success', user };
            }
            default:
              return { type: 'failure', reason: 'malformed', message: 'Exchange already finished.' };
          }
        },
      };
    },
  };
}
