/**
 * What delivery remembers between messages. Every method may reject; a rejection means "cannot
 * tell right now", which delivery turns into a temporary failure (LMTP 451 / exit 75). Backends
 * live in their own files: `memory.ts` for tests and `tamis test`, SQLite as the embedded default.
 */

/** RFC 5230 response tracking: at most one reply per sender per period per handle. */
export interface VacationTracker {
  /** Whether `user` replied to `sender` for `handle` less than `seconds` before `now`. */
  recentlyReplied(user: string, sender: string, handle: string, seconds: number, now: Date): Promise<boolean>;
  /** Records a reply sent (or queued) at `now`. */
  recordReply(user: string, sender: string, handle: string, now: Date): Promise<void>;
}

/** RFC 7352 duplicate tracking: marks per user, each valid until it expires. */
export interface DuplicateTracker {
  /** Whether `key` was marked for `user` within the last `seconds` before `now`. */
  seen(user: string, key: string, seconds: number, now: Date): Promise<boolean>;
  /** Marks `key` at `now` (refreshing an existing mark). */
  mark(user: string, key: string, now: Date): Promise<void>;
}

/** What a delivery already did for one (message, recipient), so an MTA retry stores and sends nothing twice. */
export interface DeliveryRecord {
  /** Mailbox ids already stored ("INBOX", "Junk"...). */
  stored: string[];
  /** Ids of outgoing mail already queued. */
  sent: string[];
  /** True once the delivery finished and was acknowledged to the MTA. */
  done: boolean;
}

export interface DeliveryRecords {
  get(key: string): Promise<DeliveryRecord | null>;
  /**
   * Stores the record. One that lists nothing sent may be committed without waiting for the disk
   * (a power cut can forget it; a retry then stores the message again, never loses it); one that
   * lists outgoing mail is on disk when the promise resolves.
   */
  put(key: string, record: DeliveryRecord, now: Date): Promise<void>;
}

/** Per-user counters of automatic sending (vacation, redirect, notify) over sliding windows. */
export interface SendCounters {
  /** Messages counted for `user` since `since`. */
  count(user: string, since: Date): Promise<number>;
  /** Counts `n` messages for `user` at `now`. */
  add(user: string, n: number, now: Date): Promise<void>;
}

/** The stores delivery uses, opened together and closed together. */
export interface DeliveryStores {
  vacation: VacationTracker;
  duplicates: DuplicateTracker;
  deliveries: DeliveryRecords;
  counters: SendCounters;
  close(): Promise<void>;
}
