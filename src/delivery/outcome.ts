/**
 * What became of one message for one recipient, in terms both frontends translate: LMTP replies
 * (RFC 2033, one per recipient, with RFC 3463 enhanced codes) and the LDA's sysexits codes.
 */
export type DeliveryOutcome =
  /** Stored durably (or deliberately not stored: discard, a redirect without copy). */
  | { kind: 'delivered'; detail: string }
  /** No such user: 550 5.1.1 / exit 67. */
  | { kind: 'unknown-user'; detail: string }
  /** Sieve reject/ereject: 550 with the reason / exit 77 (the MTA bounces). */
  | { kind: 'rejected'; detail: string }
  /** Over the mailbox quota, permanently (552 5.2.2 / 77) or, by configuration, temporarily (452 4.2.2 / 75). */
  | { kind: 'over-quota'; detail: string; permanent: boolean }
  /** Larger than the message size limit: 552 5.3.4 / 77. */
  | { kind: 'too-big'; detail: string }
  /** Anything that prevented a safe delivery: 451 4.3.0 / 75, and the MTA tries again later. */
  | { kind: 'tempfail'; detail: string };

/** sysexits(3) codes, as MTAs read them from a local delivery agent. */
export const EXIT = {
  OK: 0,
  USAGE: 64,
  DATAERR: 65,
  NOUSER: 67,
  SOFTWARE: 70,
  TEMPFAIL: 75,
  NOPERM: 77,
} as const;

export function exitCode(outcome: DeliveryOutcome): number {
  switch (outcome.kind) {
    case 'delivered':
      return EXIT.OK;
    case 'unknown-user':
      return EXIT.NOUSER;
    case 'rejected':
    case 'too-big':
      return EXIT.NOPERM;
    case 'over-quota':
      return outcome.permanent ? EXIT.NOPERM : EXIT.TEMPFAIL;
    case 'tempfail':
      return EXIT.TEMPFAIL;
  }
}

/** The LMTP reply code for an outcome; the enhanced code is added by the protocol layer. */
export function replyCode(outcome: DeliveryOutcome): number {
  switch (outcome.kind) {
    case 'delivered':
      return 250;
    case 'unknown-user':
    case 'rejected':
      return 550;
    case 'over-quota':
      return outcome.permanent ? 552 : 452;
    case 'too-big':
      return 552;
    case 'tempfail':
      return 451;
  }
}
