import { buildMailtoNotification, type OtherAction } from '../../index.js';
import { once, type Done, type ExecuteContext } from './types.js';

type NotifyFields = Parameters<typeof buildMailtoNotification>[0];

/** RFC 5436 enotify with a mailto: URI: one notification, sent like a redirect. */
export async function notifyAction(action: OtherAction, ctx: ExecuteContext): Promise<Done> {
  const fields = action.fields as unknown as NotifyFields;
  if (!fields.mailto)
    return { what: 'notified', detail: `${String(fields.method)}: method not supported here` };
  let note: ReturnType<typeof buildMailtoNotification>;
  try {
    note = buildMailtoNotification(fields, { envelope: ctx.envelope, config: ctx.config, date: ctx.now });
  } catch (e) {
    return { what: 'notified', detail: `not sent: ${(e as Error).message}` };
  }
  if (!note) return { what: 'notified', detail: 'not sent (suppressed or no recipient)' };
  const n = note;
  const to = n.recipients.join(', ');
  const queued = await once(
    ctx,
    'sent',
    `notify:${to.toLowerCase()}`,
    () =>
      ctx.outbox.enqueue(ctx.user, {
        kind: 'notify',
        from: n.envelopeFrom,
        to: n.recipients,
        message: Buffer.from(n.raw),
      }),
    'skip',
  );
  return queued
    ? { what: 'notified', detail: `mailto notification to ${to}` }
    : { what: 'skipped', detail: `notification to ${to}: queued on an earlier attempt` };
}
