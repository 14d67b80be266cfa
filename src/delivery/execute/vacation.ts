import { buildVacationReply, type VacationAction } from '../../index.js';
import { once, type Done, type ExecuteContext } from './types.js';

/**
 * RFC 5230 vacation: the engine already decided whether this message may be answered at all (lists,
 * bulk, system senders, not addressed to the user); here the response tracking decides whether this
 * sender was answered within the period. The reply is recorded by the caller only once the message
 * is stored (`afterStored`), so a failed delivery does not silence the next attempt's reply.
 */
export async function vacationAction(
  action: VacationAction,
  ctx: ExecuteContext,
  afterStored: Array<() => Promise<void>>,
): Promise<Done> {
  const to = action.to;
  if (!to) return { what: 'vacation-suppressed', detail: action.suppressed ?? 'no recipient' };
  const id = `vacation:${to.toLowerCase()}:${action.handle}`;
  if (ctx.record.sent.includes(id) || ctx.record.sent.includes(`?${id}`)) {
    return { what: 'skipped', detail: `vacation reply to ${to}: queued on an earlier attempt` };
  }
  if (await ctx.vacation.recentlyReplied(ctx.user, to, action.handle, action.seconds, ctx.now)) {
    return { what: 'vacation-suppressed', detail: `${to} already answered within ${action.seconds}s` };
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
  afterStored.push(() => ctx.vacation.recordReply(ctx.user, to, action.handle, ctx.now));
  return { what: 'vacation', detail: `reply sent to ${to}` };
}
