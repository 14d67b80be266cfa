/**
 * What the engine may ask of the world while a script runs. Each query may answer at once or with
 * a Promise (then only `engine.runAsync` can use it), and may throw `TempFailError` when the answer
 * cannot be had right now. Queries only read: what a run wants remembered comes back as effects in
 * its result, for the host to commit once the message is stored. The defaults answer without I/O,
 * so `tamis test` has no side effects.
 */
export type Answer<T> = T | Promise<T>;

/** A host query could not be answered right now (a store is down): the run ends with `tempfail`. */
export class TempFailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TempFailError';
  }
}

/** A duplicate check (RFC 7352): has this user's record `key` been marked within `seconds`? */
export interface DuplicateQuery {
  /** Whose records: the run's user (RunOptions.user, else the envelope recipient). */
  user: string;
  /** SHA-256 hex of the handle and the unique ID. */
  key: string;
  seconds: number;
}

/** A vacation tracking check (RFC 5230 §4.2): did this user reply to `sender` for `handle` within `seconds`? */
export interface VacationQuery {
  /** Whose records: the run's user (RunOptions.user, else the envelope recipient). */
  user: string;
  /** The address the reply would go to (the envelope sender). */
  sender: string;
  handle: string;
  seconds: number;
}

export interface Host {
  /** RFC 5490 mailboxexists. */
  mailboxExists(name: string): Answer<boolean>;
  /** Current time (date/currentdate, vacation). */
  now(): Answer<Date>;
  /**
   * RFC 6609 include: the text of a personal or global script, or null when there is none.
   * Given to the engine (EngineOptions.host) it is used at compile time; `compile` needs an
   * immediate answer, `compileAsync` also awaits a Promise.
   */
  loadScript?(name: string, location: 'personal' | 'global'): Answer<string | null>;
  /**
   * RFC 7352 duplicate: whether the user's record `key` was marked within the last `seconds`.
   * Only reads; the run returns the marks to make as `duplicate` effects. Without it nothing is
   * a duplicate.
   */
  duplicateSeen?(query: DuplicateQuery): Answer<boolean>;
  /**
   * RFC 5230 §4.2 response tracking: whether the user already replied to the sender for this
   * handle within `seconds`. Only reads; a reply due comes back as a `vacation` effect for the host
   * to record once the message is stored. Without it no reply was ever sent.
   */
  vacationReplied?(query: VacationQuery): Answer<boolean>;
  /** RFC 8579: the mailboxes carrying a special-use attribute such as "\\Junk" (none by default). */
  specialUseMailboxes?(flag: string): Answer<string[]>;
  /** RFC 5183 environment items the host knows (e.g. "remote-ip"); they override the configured ones. */
  environment?(item: string): Answer<string | null>;
  /**
   * RFC 6134 extlists: whether `value` is on the list (full URI name, e.g.
   * "urn:ietf:params:sieve:addrbook:default"); null when the host does not hold that list, which
   * then is looked up in the configuration.
   */
  listContains?(list: string, value: string): Answer<boolean | null>;
  /**
   * RFC 5490 metadata: the value of an IMAP METADATA entry (e.g. "/private/comment") of a mailbox,
   * or of the server when `mailbox` is null; null when the entry is not set.
   */
  metadata?(mailbox: string | null, entry: string): Answer<string | null>;
  /** Log line from vnd.dovecot.debug's debug_log (dropped by default). */
  log?(message: string): void;
}

export const defaultHost: Host = {
  mailboxExists: () => true,
  now: () => new Date(),
};
