import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { lazily } from '../lazy.js';
import type { RejectAction } from '../../index.js';
import { oneLine, originalHeaderPart } from '../transport/bounce.js';
import { once, type Done, type ExecuteContext } from './types.js';

const libmime = lazily<typeof import('libmime').default>('libmime');

/** Senders that are never sent a rejection: the null sender and mailer daemons (RFC 5429 §2.1.1). */
function noReplySender(sender: string): string | null {
  if (sender === '') return 'the null sender';
  if (/^mailer-daemon@/i.test(sender) || /^mailer-daemon$/i.test(sender)) return 'MAILER-DAEMON';
  return null;
}

const header = (value: string): string =>
  /^[\x20-\x7e]*$/.test(value) ? value : libmime().encodeWords(value, 'B', 52, 'utf-8');

export interface MdnInput {
  /** The rejecting recipient (our user's address). */
  recipient: string;
  /** The envelope sender, who gets the rejection. */
  to: string;
  reason: string;
  /** The rejected message as received. */
  message: Buffer;
  subject: string;
  messageId: string | null;
  reportingHost: string;
  now: Date;
}

/**
 * A rejection as a message disposition notification (RFC 5429 §2.1.1, RFC 3798): multipart/report
 * with the reason for people, the machine-readable disposition "deleted", and the original header.
 */
export function buildRejectMdn(input: MdnInput): Buffer {
  const boundary = `=_tamis_${randomBytes(9).toString('hex')}`;
  const rcpt = oneLine(input.recipient);
  const host = oneLine(input.reportingHost);
  const reason = input.reason.replace(/\r?\n/g, '\r\n');
  const ascii = /^[\x20-\x7e\r\n\t]*$/.test(reason);
  const text = `Your message to <${rcpt}> was automatically rejected:\r\n\r\n${reason}\r\n`;
  const lines = [
    `From: <${rcpt}>`,
    `To: <${oneLine(input.to)}>`,
    `Subject: ${header(
      `Rejected: ${input.subject
        .replace(/[\x00-\x1f\x7f]+/g, ' ')
        .trim()
        .slice(0, 200)}`,
    )}`,
    `Date: ${input.now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(12).toString('hex')}.reject@${host}>`,
    ...(input.messageId ? [`In-Reply-To: ${oneLine(input.messageId)}`] : []),
    'Auto-Submitted: auto-replied (rejected)',
    'Precedence: bulk',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=disposition-notification; boundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    `Content-Type: text/plain; charset=${ascii ? 'us-ascii' : 'utf-8'}`,
    `Content-Transfer-Encoding: ${ascii ? '7bit' : 'base64'}`,
    '',
    ascii
      ? text
      : (
          Buffer.from(text)
            .toString('base64')
            .match(/.{1,76}/g) ?? []
        ).join('\r\n'),
    `--${boundary}`,
    'Content-Type: message/disposition-notification',
    '',
    `Reporting-UA: ${host}; tamis`,
    `Final-Recipient: rfc822; ${rcpt}`,
    ...(input.messageId ? [`Original-Message-ID: ${oneLine(input.messageId)}`] : []),
    'Disposition: automatic-action/MDN-sent-automatically; deleted',
    '',
    ...originalHeaderPart(boundary, input.message),
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/**
 * `reject` with `reject: "message"`: the message is accepted and not stored, and the sender gets a
 * rejection MDN through the outbox (null envelope sender, under the sending limits). Never to the
 * null sender or a mailer daemon; not sent twice after a crash in mid-send.
 */
export async function rejectByMessage(action: RejectAction, ctx: ExecuteContext): Promise<Done> {
  const reason = action.reason.split(/\r?\n/)[0] ?? '';
  const sender = ctx.envelope.from;
  const skip = noReplySender(sender);
  if (skip) return { what: 'rejected', detail: `${reason} (no rejection sent to ${skip})` };
  const mdn = buildRejectMdn({
    recipient: ctx.envelope.to,
    to: sender,
    reason: action.reason,
    message: ctx.message.raw(),
    subject: ctx.message.header('subject')[0] ?? '',
    messageId: ctx.message.rawHeader('message-id')[0]?.trim() ?? null,
    reportingHost: ctx.hostname ?? hostname(),
    now: ctx.now,
  });
  const queued = await once(
    ctx,
    'sent',
    `reject:${sender.toLowerCase()}`,
    () => ctx.outbox.enqueue(ctx.user, { kind: 'reject', from: '', to: [sender], message: mdn }),
    'skip',
  );
  return queued
    ? { what: 'rejected', detail: `${reason} (rejection sent to ${sender})` }
    : { what: 'skipped', detail: `rejection to ${sender}: queued on an earlier attempt` };
}
