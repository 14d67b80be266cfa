import type { UserDirectory } from '../accounts/types.js';

/** A recipient address taken apart the way delivery looks users up. */
export interface RecipientAddress {
  /** The address as given, without angle brackets. */
  address: string;
  /** Local part without the detail. */
  local: string;
  /** `+detail` of a subaddress (RFC 5233), without the separator; null when there is none. */
  detail: string | null;
  /** Domain, lower-cased; '' for a bare local part. */
  domain: string;
}

/** Why an address cannot be delivered to, or null. Only the shape is checked; the directory decides the rest. */
export function recipientProblem(address: string): string | null {
  if (address.length === 0) return 'empty recipient';
  if (address.length > 320) return 'recipient address longer than 320 characters';
  if (/[\x00-\x20\x7f<>]/.test(address)) return 'recipient address contains blanks or control characters';
  const at = address.lastIndexOf('@');
  if (at === 0 || at === address.length - 1) return 'recipient address has an empty local part or domain';
  return null;
}

/** Splits `alice+lists@example.org` into local part, detail and domain. */
export function parseRecipient(address: string, separator = '+'): RecipientAddress {
  const bare = address.replace(/^<(.*)>$/, '$1');
  const at = bare.lastIndexOf('@');
  const localFull = at < 0 ? bare : bare.slice(0, at);
  const domain = at < 0 ? '' : bare.slice(at + 1).toLowerCase();
  const cut = separator ? localFull.indexOf(separator) : -1;
  return {
    address: bare,
    local: cut > 0 ? localFull.slice(0, cut) : localFull,
    detail: cut > 0 ? localFull.slice(cut + separator.length) : null,
    domain,
  };
}

/** The user a recipient belongs to: the user name found in the directory, and the address parts. */
export interface ResolvedRecipient extends RecipientAddress {
  user: string;
}

/**
 * Looks a recipient up as Dovecot's passwd-file userdb is commonly keyed: by the whole address
 * without its detail (`alice@example.org`), then by the local part alone (`alice`); then the same
 * lower-cased, as Dovecot's default `auth_username_format = %Lu` does, so `Alice@Example.org`
 * reaches `alice`. The detail is never part of the look-up. Null when no user matches.
 */
export async function resolveRecipient(
  directory: Pick<UserDirectory, 'exists'>,
  address: string,
  separator = '+',
): Promise<ResolvedRecipient | null> {
  const parts = parseRecipient(address, separator);
  const keys = (local: string) => (parts.domain ? [`${local}@${parts.domain}`, local] : [local]);
  const lower = parts.local.toLowerCase();
  const candidates = lower === parts.local ? keys(lower) : [...keys(parts.local), ...keys(lower)];
  for (const user of candidates) {
    if (await directory.exists(user)) return { ...parts, user };
  }
  return null;
}
