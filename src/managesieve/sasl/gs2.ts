/** The GS2 header (RFC 5801 section 4) that SCRAM and OAUTHBEARER client messages start with. */

/** Decodes a saslname ("=2C" is ",", "=3D" is "="); null when another "=" escape appears. */
export function decodeSaslName(s: string): string | null {
  if (/=(?!2C|3D)/.test(s)) return null;
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export function encodeSaslName(s: string): string {
  return s.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** The header a client writes: no channel binding, plus the authorization identity when there is one. */
export function gs2Header(authzid: string | undefined): string {
  return `n,${authzid ? `a=${encodeSaslName(authzid)}` : ''},`;
}

export interface Gs2 {
  /** The header as sent, e.g. `n,,` (SCRAM's client-final echoes it). */
  header: string;
  /** The client asked for channel binding (`p=...`). */
  channelBinding: boolean;
  /** The decoded authorization identity; null when none was given. */
  authzid: string | null;
  /** False when an `a=` was given but is empty or wrongly escaped. */
  authzidOk: boolean;
  /** What follows the header. */
  rest: string;
}

/** Splits the GS2 header off a client's first message; null when there is none. */
export function parseGs2(msg: string): Gs2 | null {
  const m = /^([ny]|p=[^,]*),(a=[^,]*)?,/.exec(msg);
  if (!m) return null;
  const authzid = m[2] === undefined ? null : decodeSaslName(m[2].slice(2));
  return {
    header: m[0],
    channelBinding: m[1]!.startsWith('p='),
    authzid,
    authzidOk: m[2] === undefined || (authzid !== null && authzid !== ''),
    rest: msg.slice(m[0].length),
  };
}
