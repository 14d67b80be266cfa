import type { OAuthTokenVerifier, SaslServerExchange, SaslServerMechanism, SaslStep } from './types.js';
import { parseGs2 } from './gs2.js';

export interface OAuthBearerMessage {
  authzid: string | null;
  token: string;
  fields: Record<string, string>;
}

/** Parses an OAUTHBEARER client response (RFC 7628 section 3.1): gs2 header, then ^A-separated key=value pairs. */
export function parseOAuthBearer(msg: string): OAuthBearerMessage | string {
  const gs2 = parseGs2(msg);
  const body = gs2 && /^\x01(.*)\x01\x01$/s.exec(gs2.rest);
  if (!body) return 'Malformed OAUTHBEARER message.';
  if (gs2.channelBinding) return 'Channel binding is not supported.';
  if (!gs2.authzidOk) return 'Malformed OAUTHBEARER authorization identity.';
  const { authzid } = gs2;
  const fields: Record<string, string> = {};
  for (const kv of body[1]!.split('\x01')) {
    const kvm = /^([A-Za-z]+)=([\x21-\x7e \t\r\n]*)$/.exec(kv);
    if (!kvm) return 'Malformed OAUTHBEARER key/value pair.';
    fields[kvm[1]!] = kvm[2]!;
  }
  const auth = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(fields['auth'] ?? '');
  if (!auth) return 'OAUTHBEARER message without a Bearer token.';
  return { authzid, token: auth[1]!, fields };
}

export interface OAuthBearerOptions {
  /** Extra members for the JSON error challenge (RFC 7628 section 3.2.2), e.g. scope or openid-configuration. */
  errorDetails?: { scope?: string; 'openid-configuration'?: string };
}

/**
 * OAUTHBEARER (RFC 7628). A rejected token gets the JSON error as a challenge; the client must then
 * answer with a single ^A, after which the exchange fails.
 */
export function oauthBearerMechanism(
  verify: OAuthTokenVerifier,
  opts: OAuthBearerOptions = {},
): SaslServerMechanism {
  return {
    name: 'OAUTHBEARER',
    plaintext: true,
    start(): SaslServerExchange {
      let stage: 'start' | 'response' | 'error-sent' | 'done' = 'start';
      const fail = (reason: 'credentials' | 'malformed', message: string): SaslStep => {
        stage = 'done';
        return { type: 'failure', reason, message };
      };
      const errorChallenge = (): SaslStep => {
        stage = 'error-sent';
        const body = { status: 'invalid_token', ...opts.errorDetails };
        return { type: 'challenge', data: Buffer.from(JSON.stringify(body)) };
      };
      return {
        async step(response: Buffer | null): Promise<SaslStep> {
          if (stage === 'start' && (response === null || response.length === 0)) {
            stage = 'response';
            return { type: 'challenge', data: Buffer.alloc(0) };
          }
          if (stage === 'start') stage = 'response';
          if (stage === 'error-sent') {
            stage = 'done';
            return { type: 'failure', reason: 'credentials', message: 'Authentication failed.' };
          }
          if (stage !== 'response' || response === null)
            return fail('malformed', 'Unexpected OAUTHBEARER response.');
          const parsed = parseOAuthBearer(response.toString('utf8'));
          if (typeof parsed === 'string') return fail('malformed', parsed);
          let user: string | null;
          try {
            user = await verify(parsed.token, parsed.authzid);
          } catch {
            user = null;
          }
          if (user === null) return errorChallenge();
          if (parsed.authzid !== null && parsed.authzid !== user) return errorChallenge();
          stage = 'done';
          return { type: 'success', user };
        },
      };
    },
  };
}
