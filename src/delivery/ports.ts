/**
 * What the delivery core needs from storage and sending. Each port may fail; a failure that is
 * worth retrying is a `TemporaryDeliveryError`, which turns the delivery into a temporary failure
 * (LMTP 451 / exit 75) so the MTA keeps the message and tries again.
 */

export class TemporaryDeliveryError extends Error {
  override readonly name = 'TemporaryDeliveryError';
}

/** A permanent refusal from storage: the mailbox is over quota and configured to bounce. */
export class QuotaExceededError extends Error {
  override readonly name = 'QuotaExceededError';
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface StoreRequest {
  /** IMAP mailbox name (`INBOX`, `Junk`, `Archive/2026`), as scripts name it. */
  mailbox: string;
  /** IMAP flags and keywords to set (imap4flags). */
  flags: string[];
  /** Create the mailbox when missing (`fileinto :create`, or configured auto-creation). */
  create: boolean;
  message: Buffer;
}

/** A user's mail: where `keep` and `fileinto` put messages. */
export interface Mailboxes {
  exists(mailbox: string): Promise<boolean>;
  /** Stores durably (fsync) before resolving; resolves to an id for the log. Throws for a missing mailbox when `create` is false. */
  store(request: StoreRequest): Promise<string>;
}

/** One outgoing message: a redirect, a vacation reply, a notification, a rejection or a returned bounce. */
export interface OutgoingMail {
  /** `bounce`: a bounce that came back to an SRS address, relayed to the original sender. */
  kind: 'redirect' | 'vacation' | 'notify' | 'reject' | 'bounce';
  /** Envelope sender ('' for the null sender). */
  from: string;
  to: string[];
  message: Buffer;
}

/** Sends or durably queues outgoing mail; resolves once it is queued (never lost after that). */
export interface Outbox {
  enqueue(user: string, mail: OutgoingMail): Promise<void>;
}
