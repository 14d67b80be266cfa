import type { EngineConfig } from '../extensions/types.js';
import type { Envelope, MessageView } from '../message/types.js';

/** Header field a redirected copy carries, naming the user it was redirected for (loop detection). */
export const REDIRECTED_FROM_FIELD = 'X-Sieve-Redirected-From';

/** The user's own address: the configured one, else the final recipient. */
export function userAddress(config: EngineConfig, envelope: Envelope): string {
  return config.userEmail || envelope.to;
}

/** The postmaster's address: configured, else postmaster@ the recipient's domain; null without one. */
export function postmasterAddress(config: EngineConfig, envelope: Envelope): string | null {
  if (config.postmasterAddress) return config.postmasterAddress;
  const at = envelope.to.lastIndexOf('@');
  return at > 0 ? `postmaster${envelope.to.slice(at)}` : null;
}

/**
 * Envelope sender for a redirected message, as `redirectEnvelopeFrom` says. A message that came
 * with a null sender keeps it, so bounces of bounces cannot happen.
 */
export function redirectEnvelopeSender(config: EngineConfig, envelope: Envelope): string {
  if (envelope.from === '') return '';
  const setting = config.redirectEnvelopeFrom.trim();
  const explicit = /^<(.*)>$/.exec(setting);
  if (explicit) return explicit[1]!.trim();
  switch (setting.toLowerCase()) {
    case 'recipient':
      return envelope.to || envelope.from;
    case 'orig_recipient':
      return envelope.origTo || envelope.to || envelope.from;
    case 'user_email':
      return userAddress(config, envelope) || envelope.from;
    case 'postmaster':
      return postmasterAddress(config, envelope) ?? envelope.from;
    default:
      return envelope.from;
  }
}

/**
 * True when the message was already redirected for this user (its X-Sieve-Redirected-From names the
 * user's address): redirecting it again would start a mail loop, so the redirect is skipped.
 */
export function isRedirectLoop(config: EngineConfig, envelope: Envelope, message: MessageView): boolean {
  const own = [config.userEmail, envelope.to].filter((a): a is string => !!a).map((a) => a.toLowerCase());
  if (own.length === 0) return false;
  return message
    .addresses(REDIRECTED_FROM_FIELD.toLowerCase())
    .some((a) => own.includes(a.address.toLowerCase()));
}
