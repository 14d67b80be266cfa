import { randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeSaslName, gs2Header } from '../sasl/gs2.js';
import { hmac, scramSha256Keys, xorBytes } from '../sasl/scram-sha-256.js';

/** A client-side SASL exchange: raw bytes in and out (the transport does base64). */
export interface SaslClientExchange {
  /** Initial response to send with AUTHENTICATE, or null to wait for the first challenge. */
  initial(): Buffer | null;
  /** Answers a server challenge. */
  respond(challenge: Buffer): Buffer;
  /** Checks the final data a server sent with its success (e.g. SCRAM's server signature); throws if wrong. */
  verifyFinal(data: Buffer | null): void;
}

export type ClientMechanismName = 'PLAIN' | 'LOGIN' | 'SCRAM-SHA-256' | 'OAUTHBEARER';

export interface ClientCredentials {
  user: string;
  /** Password, or the bearer token for OAUTHBEARER. */
  secret: string;
  authzid?: string;
}

export function plainClient(c: ClientCredentials): SaslClientExchange {
  return {
    initial: () => Buffer.from(`${c.authzid ?? ''}\0${c.user}\0${c.secret}`, 'utf8'),
    respond: () => Buffer.from(`${c.authzid ?? ''}\0${c.user}\0${c.secret}`, 'utf8'),
    verifyFinal: () => undefined,
  };
}

export function loginClient(c: ClientCredentials): SaslClientExchange {
  return {
    initial: () => null,
    respond(challenge) {
      // Servers ask "Username:" then "Password:" (some say "User Name"); answer by what is asked.
      return Buffer.from(/pass/i.test(challenge.toString('utf8')) ? c.secret : c.user, 'utf8');
    },
    verifyFinal: () => undefined,
  };
}

export function scramSha256Client(
  c: ClientCredentials,
  nonce = randomBytes(18).toString('base64'),
): SaslClientExchange {
  const gs2 = gs2Header(c.authzid);
  const bare = `n=${encodeSaslName(c.user)},r=${nonce}`;
  let expectedServerSignature: Buffer | null = null;
  let step = 0;
  return {
    initial: () => Buffer.from(gs2 + bare, 'utf8'),
    respond(challenge) {
      if (challenge.length === 0 && step === 0) return Buffer.from(gs2 + bare, 'utf8');
      if (step++ > 0) throw new Error('unexpected SCRAM challenge');
      const serverFirst = challenge.toString('utf8');
      const m = /^r=([^,]+),s=([A-Za-z0-9+/=]+),i=(\d+)(,.*)?$/.exec(serverFirst);
      if (!m) throw new Error('malformed SCRAM server-first message');
      const [, r, s, i] = m as unknown as [string, string, string, string];
      if (!r.startsWith(nonce) || r.length === nonce.length) throw new Error('SCRAM server nonce is invalid');
      const iterations = Number(i);
      if (iterations < 1 || iterations > 10_000_000) throw new Error('SCRAM iteration count out of range');
      const { clientKey, storedKey, serverKey } = scramSha256Keys(
        c.secret,
        Buffer.from(s, 'base64'),
        iterations,
      );
      const withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${r}`;
      const authMessage = `${bare},${serverFirst},${withoutProof}`;
      const proof = xorBytes(clientKey, hmac(storedKey, authMessage));
      expectedServerSignature = hmac(serverKey, authMessage);
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
    },
    verifyFinal(data) {
      const m = data ? /^v=([A-Za-z0-9+/=]+)$/.exec(data.toString('utf8')) : null;
      const got = m ? Buffer.from(m[1]!, 'base64') : Buffer.alloc(0);
      if (!expectedServerSignature || got.length !== 32 || !timingSafeEqual(got, expectedServerSignature))
        throw new Error(
          'SCRAM server signature is missing or wrong: the server did not prove it knows the password',
        );
    },
  };
}

export function oauthBearerClient(c: ClientCredentials): SaslClientExchange {
  const msg = Buffer.from(`${gs2Header(c.authzid ?? c.user)}\x01auth=Bearer ${c.secret}\x01\x01`, 'utf8');
  return {
    initial: () => msg,
    // A non-empty challenge is the JSON error; RFC 7628 says to answer with a lone ^A to end the exchange.
    respond: (challenge) => (challenge.length === 0 ? msg : Buffer.from('\x01')),
    verifyFinal: () => undefined,
  };
}

export function clientMechanism(name: ClientMechanismName, c: ClientCredentials): SaslClientExchange {
  switch (name) {
    case 'PLAIN':
      return plainClient(c);
    case 'LOGIN':
      return loginClient(c);
    case 'SCRAM-SHA-256':
      return scramSha256Client(c);
    case 'OAUTHBEARER':
      return oauthBearerClient(c);
    default:
      throw new Error(`unsupported SASL mechanism ${String(name)}`);
  }
}
