import { randomBytes } from 'node:crypto';
import type { Refusal } from './transport.js';

/** The status code (RFC 3463) in a relay's reply, or a general one when it gives none. */
function statusOf(reason: string, gaveUp: boolean): string {
  if (gaveUp) return '5.4.7';
  const m = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(reason);
  return m && m[1] === '5' ? `${m[1]}.${m[2]}.${m[3]}` : '5.0.0';
}

/** One line, printable ASCII: a relay's reply must not inject header fields or MIME parts. */
export const oneLine = (s: string) =>
  s
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 900);

/** The header of the original message, up to the blank line (at most 64 KiB of it). */
function headerOf(message: Buffer): string {
  const text = message.subarray(0, 65_536).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n/g, '\r\n');
}

/** The last part of a report, the original message's header (text/rfc822-headers), and the closing boundary. */
export function originalHeaderPart(boundary: string, message: Buffer): string[] {
  return [
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headerOf(message),
    '',
    `--${boundary}--`,
    '',
  ];
}

export interface BounceInput {
  /** Who gets the report: the original sender of the forwarded message. */
  to: string;
  /** The user the message was forwarded for. */
  user: string;
  /** The name of this host, for Reporting-MTA and the From address. */
  hostname: string;
  queued: Date;
  failed: Refusal[];
  gaveUp: boolean;
  message: Buffer;
  now: Date;
}

/**
 * A delivery status notification (RFC 3464, multipart/report) telling the original sender that a
 * forward failed for good. Sent with the null sender so it can never bounce itself.
 */
export function buildBounce(input: BounceInput): Buffer {
  const boundary = `=_tamis_${randomBytes(9).toString('hex')}`;
  const host = oneLine(input.hostname);
  const list = input.failed.map((f) => `  <${oneLine(f.to)}>: ${oneLine(f.reason)}`).join('\r\n');
  const perRecipient = input.failed
    .map((f) =>
      [
        `Final-Recipient: rfc822; ${oneLine(f.to)}`,
        'Action: failed',
        `Status: ${statusOf(f.reason, input.gaveUp)}`,
        `Diagnostic-Code: smtp; ${oneLine(f.reason)}`,
      ].join('\r\n'),
    )
    .join('\r\n\r\n');
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${host}>`,
    `To: <${oneLine(input.to)}>`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${input.now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(12).toString('hex')}.bounce@${host}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `Your message, forwarded for <${oneLine(input.user)}>, could not be delivered to:`,
    '',
    list,
    '',
    input.gaveUp
      ? 'The relay could not take it for too long; it is no longer retried.'
      : 'The receiving system refused it.',
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${host}`,
    `Arrival-Date: ${input.queued.toUTCString().replace('GMT', '+0000')}`,
    '',
    perRecipient,
    '',
    ...originalHeaderPart(boundary, input.message),
  ];
  return Buffer.from(lines.join('\r\n'), 'latin1');
}
