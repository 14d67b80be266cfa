/**
 * What the engine may ask of the world while a script runs. Every method is synchronous and
 * optional in spirit: the defaults answer without I/O, so `tamis test` has no side effects.
 */
export interface Host {
  /** RFC 5490 mailboxexists. */
  mailboxExists(name: string): boolean;
  /** Current time (date/currentdate, vacation). */
  now(): Date;
  /**
   * RFC 6609 include: the text of a personal or global script, or null when there is none.
   * Given to the engine (EngineOptions.host) it is used at compile time.
   */
  loadScript?(name: string, location: 'personal' | 'global'): string | null;
  /**
   * RFC 7352 duplicate: whether `key` was recorded within the last `seconds`, recording it now.
   * With `last` the record's time is refreshed even for a duplicate. A host should only keep the
   * records of deliveries that succeeded. Without it an in-memory tracker is used.
   */
  duplicateSeen?(key: string, seconds: number, last: boolean): boolean;
  /** RFC 8579: the mailboxes carrying a special-use attribute such as "\\Junk" (none by default). */
  specialUseMailboxes?(flag: string): string[];
  /** RFC 5183 environment items the host knows (e.g. "remote-ip"); they override the configured ones. */
  environment?(item: string): string | null;
  /**
   * RFC 6134 extlists: whether `value` is on the list (full URI name, e.g.
   * "urn:ietf:params:sieve:addrbook:default"); null when the host does not hold that list, which
   * then is looked up in the configuration.
   */
  listContains?(list: string, value: string): boolean | null;
  /**
   * RFC 5490 metadata: the value of an IMAP METADATA entry (e.g. "/private/comment") of a mailbox,
   * or of the server when `mailbox` is null; null when the entry is not set.
   */
  metadata?(mailbox: string | null, entry: string): string | null;
  /** Log line from vnd.dovecot.debug's debug_log (dropped by default). */
  log?(message: string): void;
}

export const defaultHost: Host = {
  mailboxExists: () => true,
  now: () => new Date(),
};
