import type { AddressPartDef, Extension } from './types.js';
import { string } from '../settings/schema.js';

/**
 * Splits a local part at the first character that is any of the configured delimiters (several
 * may be configured, as in Dovecot's recipient_delimiter); null when none occurs.
 */
export function splitSubaddress(
  localPart: string,
  delimiters: string,
): { user: string; detail: string } | null {
  if (delimiters === '') return null;
  let at = -1;
  for (let i = 0; i < localPart.length; i++) {
    if (delimiters.includes(localPart[i]!)) {
      at = i;
      break;
    }
  }
  return at < 0 ? null : { user: localPart.slice(0, at), detail: localPart.slice(at + 1) };
}

/** The whole local part when there is no delimiter (RFC 5233 §4). */
const user: AddressPartDef = {
  name: 'user',
  extract: (a, rt) => splitSubaddress(a.localPart, rt.config.recipientDelimiter)?.user ?? a.localPart,
};

/** No detail means the address matches no key at all, not even "" (RFC 5233 §4). */
const detail: AddressPartDef = {
  name: 'detail',
  extract: (a, rt) => splitSubaddress(a.localPart, rt.config.recipientDelimiter)?.detail ?? null,
};

/** RFC 5233: the :user and :detail address parts. */
export const subaddressExtension: Extension = { name: 'subaddress', addressParts: [user, detail] };

/** RFC 5233 subaddress: what separates the user from the detail. */
export const subaddressSettings = {
  recipientDelimiter: string({
    default: '+',
    doc: "Delimiter between user and detail for :user and :detail (and for vacation's own addresses).",
  }),
};
