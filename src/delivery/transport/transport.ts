/** A recipient the relay did not take, with what it answered. */
export interface Refusal {
  to: string;
  /** The relay's reply (`451 4.3.0 try later`) or the connection error. */
  reason: string;
}

/** What became of one envelope: every recipient is in exactly one of the three lists. */
export interface SendResult {
  accepted: string[];
  /** Worth trying again later: 4xx replies, connection failures, timeouts. */
  deferred: Refusal[];
  /** Refused for good: 5xx replies. */
  failed: Refusal[];
  /** The next hop could not be reached at all (no reply): every other message would fail too. */
  unreachable?: boolean;
}

/** Hands one envelope to the next hop. Never throws: every outcome is in the result. */
export interface Transport {
  readonly name: string;
  send(id: string, from: string, to: string[], message: Buffer): Promise<SendResult>;
  close(): Promise<void>;
}

export const allDeferred = (to: string[], reason: string, unreachable = false): SendResult => ({
  accepted: [],
  deferred: to.map((t) => ({ to: t, reason })),
  failed: [],
  unreachable,
});
