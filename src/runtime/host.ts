/**
 * What the engine may ask of the world while a script runs. Every method is synchronous and
 * optional in spirit: the defaults answer without I/O, so `tamis test` has no side effects.
 */
export interface Host {
  /** RFC 5490 mailboxexists. */
  mailboxExists(name: string): boolean;
  /** Current time (date/currentdate, vacation). */
  now(): Date;
}

export const defaultHost: Host = {
  mailboxExists: () => true,
  now: () => new Date(),
};
