/**
 * Which spam score header a delivery may believe. Anyone can write `X-Spamd-Result: default: True
 * [99.00 / 15.00]` into a message they send; only the instance added on the way in by the local MTA
 * (Rspamd's milter) tells the truth. The MTA's own Received field marks that boundary: fields above
 * it were added here, fields below it came with the message.
 */

export interface ScoreTrust {
  /** Header holding the score (default X-Spamd-Result). */
  header: string;
  /**
   * - `above-received`: trust an instance only when fewer than `receivedHops` Received fields stand
   *   above it (default 1: above the MTA's own Received field, where a milter inserts its headers).
   * - `topmost`: trust the topmost instance wherever it is (for an MTA that strips upstream copies).
   * - `any`: trust every instance (no protection; for tests).
   */
  mode: 'above-received' | 'topmost' | 'any';
  receivedHops: number;
}

export const DEFAULT_SCORE_TRUST: ScoreTrust = {
  header: 'X-Spamd-Result',
  mode: 'above-received',
  receivedHops: 1,
};

interface FieldSpan {
  name: string;
  start: number;
  end: number;
}

/** The header fields of a raw message with their byte spans (continuation lines included). */
function headerFields(raw: Buffer): FieldSpan[] {
  const fields: FieldSpan[] = [];
  let pos = 0;
  let current: FieldSpan | null = null;
  while (pos < raw.length) {
    let eol = raw.indexOf(0x0a, pos);
    if (eol < 0) eol = raw.length - 1;
    const lineEnd = eol + 1;
    const first = raw[pos];
    // An empty line ends the header.
    if (first === 0x0a || (first === 0x0d && raw[pos + 1] === 0x0a)) break;
    if ((first === 0x20 || first === 0x09) && current) {
      current.end = lineEnd;
    } else {
      const colon = raw.indexOf(0x3a, pos);
      const name = colon > pos && colon < eol ? raw.toString('latin1', pos, colon).trim().toLowerCase() : '';
      current = { name, start: pos, end: lineEnd };
      fields.push(current);
    }
    pos = lineEnd;
  }
  return fields;
}

/**
 * The message as scripts should see it: score header instances that are not trusted are left out,
 * so spamtest reads only the local filter's verdict. Returns the same buffer when nothing is removed.
 * Also says how many untrusted instances there were, for the delivery log.
 */
export function withTrustedScores(raw: Buffer, trust: ScoreTrust): { message: Buffer; untrusted: number } {
  if (trust.mode === 'any') return { message: raw, untrusted: 0 };
  const header = trust.header.toLowerCase();
  const fields = headerFields(raw);
  const drop: FieldSpan[] = [];
  let received = 0;
  let trustedSeen = false;
  for (const f of fields) {
    if (f.name === 'received') received++;
    if (f.name !== header) continue;
    const trusted = trust.mode === 'topmost' ? !trustedSeen : received < trust.receivedHops && !trustedSeen;
    if (trusted) trustedSeen = true;
    else drop.push(f);
  }
  if (drop.length === 0) return { message: raw, untrusted: 0 };
  const parts: Buffer[] = [];
  let pos = 0;
  for (const f of drop) {
    parts.push(raw.subarray(pos, f.start));
    pos = f.end;
  }
  parts.push(raw.subarray(pos));
  return { message: Buffer.concat(parts), untrusted: drop.length };
}
