import { hostname } from 'node:os';
import { SrsError, type Srs } from './policy/srs.js';
import type { DeliveryOutcome } from './outcome.js';
import type { Outbox } from './ports.js';

/**
 * Bounces of forwards whose sender SRS rewrote come back to `SRS0=...@srs.domain`: the address is
 * checked (hash and age) and the bounce relayed to the original sender. An address we did not make,
 * or made too long ago, is refused, so forged bounces are never relayed (no backscatter).
 */

/** The user under whose sending limits returned bounces are counted (they belong to no user). */
export const SRS_RETURN_USER = '(srs)';
export const INVALID_SRS = 'invalid SRS address';

export type SrsVerdict = { valid: true; original: string } | { valid: false; reason: string };

/** Null when `address` is no SRS address of ours; else whether it is one we made, still valid. */
export function checkSrsAddress(srs: Srs, address: string, now: Date): SrsVerdict | null {
  if (!srs.isSrsAddress(address)) return null;
  try {
    return { valid: true, original: srs.reverse(address, now) };
  } catch (e) {
    if (e instanceof SrsError) return { valid: false, reason: e.message };
    throw e;
  }
}

/** The bounce as received, under one trace field saying where it was returned to. */
export function returnedCopy(
  message: Buffer,
  srsAddress: string,
  original: string,
  host: string,
  now: Date,
): Buffer {
  const clean = (s: string) => s.replace(/[^\x21-\x7e]/g, '');
  const date = now.toUTCString().replace('GMT', '+0000');
  const trace = `Received: by ${clean(host)} (tamis, SRS return of <${clean(srsAddress)}>)\r\n\tfor <${clean(original)}>; ${date}\r\n`;
  return Buffer.concat([Buffer.from(trace, 'latin1'), message]);
}

/**
 * Queues the bounce to the original sender with the null sender (a bounce must never bounce),
 * under the sending limits; an outbox failure rejects and the delivery is a temporary failure.
 */
export async function returnBounce(
  outbox: Outbox,
  request: { message: Buffer; recipient: string },
  original: string,
  now: Date,
  host = hostname(),
): Promise<DeliveryOutcome> {
  await outbox.enqueue(SRS_RETURN_USER, {
    kind: 'bounce',
    from: '',
    to: [original],
    message: returnedCopy(request.message, request.recipient, original, host, now),
  });
  return { kind: 'delivered', detail: `Returned to the original sender` };
}
