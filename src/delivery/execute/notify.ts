import { buildMailtoNotification, type NotifyAction } from '../../index.js';
import { once, type Done, type ExecuteContext } from './types.js';

/** RFC 5436 enotify with a mailto: URI: one notification, sent like a redirect. */
export async function notifyAction(action: NotifyAction, ctx: ExecuteContext): Promise<Done> {
  if (!(action as Partial<NotifyAction>).mailto)
    return { what: 'notified', detail: `${action.method}: method not supported here` };
  let note: ReturnType<typeof buildMailtoNotification>;
  try {
    note = buildMailtoNotification(action, { envelope: ctx.envelope, config: ctx.config, date: ctx.now });
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
