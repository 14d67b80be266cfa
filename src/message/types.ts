/** One mailbox from an address header (groups are flattened into their members). */
export interface MailAddress {
  /** Display name, decoded; empty when absent. */
  name: string;
  /** Local part without quoting (`"a b"@x` gives `a b`). */
  localPart: string;
  /** Domain, or null for an address without one. */
  domain: string | null;
  /** `local@domain` as Sieve compares it (local part re-quoted only if needed). */
  address: string;
}

/**
 * A read-only view of one message. Implementations parse lazily: nothing is indexed until the
 * first header look-up, and the body is not touched unless asked for.
 */
export interface MessageView {
  /** Size in octets of the whole message as received. */
  readonly size: number;
  /** Unfolded values of every field with this name (case-insensitive), RFC 2047-decoded, in order. */
  header(name: string): string[];
  /** Unfolded values without RFC 2047 decoding. */
  rawHeader(name: string): string[];
  /** Addresses parsed from every field with this name, in order; unparsable fields give none. */
  addresses(name: string): MailAddress[];
  /** Names of all header fields in order (as written). */
  headerNames(): string[];
  /** The raw octets of the whole message. */
  raw(): Buffer;
  /** The raw octets after the header/body separator. */
  body(): Buffer;
}

/** SMTP envelope of a delivery. `from` is '' for the null sender `<>`. */
export interface Envelope {
  from: string;
  to: string;
  /** Original recipient (ORCPT) when known. */
  origTo?: string;
  /** Authenticated submitter, when known. */
  auth?: string;
}
