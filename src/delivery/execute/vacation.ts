import { buildVacationReply, type VacationAction } from '../../index.js';
import { once, type Done, type ExecuteContext } from './types.js';

/**
 * RFC 5230 vacation: the engine already decided whether this message may be answered (lists, bulk,
 * system senders, not addressed to the user, and through the host's response tracking, a sender
 * answered within the period). The reply is recorded from the run's `vacation` effect, once the
 * message is stored, so a failed delivery does not silence the next attempt's reply.
 */
export async function vacationAction(action: VacationAction, ctx: ExecuteContext): Promise<Done> {
  const to = action.to;
  if (!to) return { what: 'vacation-suppressed', detail: action.suppressed ?? 'no recipient' };
  const id = `vacation:${to.toLowerCase()}:${action.handle}`;
  if (ctx.record.sent.includes(id) || ctx.record.sent.includes(`?${id}`)) {
    return { what: 'skipped', detail: `vacation reply to ${to}: queued on an earlier attempt` };
  }
  let reply: string;
  try {
    reply = buildVacationReply(action, ctx.message, { date: ctx.now });
  } catch (e) {
    return { what: 'vacation-suppressed', detail: (e as Error).message };
  }
  await once(
    ctx,
    'sent',
    id,
    () => ctx.outbox.enqueue(ctx.user, { kind: 'vacation', from: '', to: [to], message: Buffer.from(reply) }),
    'skip',
  );
  return { what: 'vacation', detail: `reply sent to ${to}` };
}
