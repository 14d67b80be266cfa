import type { FileintoAction, KeepAction } from '../../index.js';
import { QuotaExceededError, TemporaryDeliveryError } from '../ports.js';
import { once, type Done, type ExecuteContext } from './types.js';

/**
 * keep and fileinto. A folder that cannot be used (missing without `:create`, an impossible name)
 * falls back to the default mailbox, then INBOX, as Dovecot's LDA does; a temporary failure or a
 * full mailbox ends the delivery instead, so nothing is acknowledged that was not stored.
 * `nth` tells apart two stores into one folder (an edited copy and the original) in the record.
 */
export async function storeAction(
  action: KeepAction | FileintoAction,
  ctx: ExecuteContext,
  nth: number,
): Promise<Done> {
  const target = action.type === 'keep' && action.implicit ? ctx.defaultMailbox : action.mailbox;
  const create = action.type === 'fileinto' ? (action.create ?? false) || ctx.autocreate : true;
  const raw = (action.message ?? ctx.message).raw();
  const id = `${target}#${nth}`;
  let done: Done = { what: 'skipped', detail: `${target}: stored on an earlier attempt` };
  await once(ctx, 'stored', id, async () => {
    try {
      const file = await ctx.mailboxes.store({
        mailbox: target,
        flags: action.flags ?? [],
        create,
        message: raw,
      });
      done = { what: 'stored', detail: `${target} (${file})` };
    } catch (e) {
      if (e instanceof TemporaryDeliveryError || e instanceof QuotaExceededError) throw e;
      const fallback = target === ctx.defaultMailbox ? 'INBOX' : ctx.defaultMailbox;
      if (fallback === target) throw e;
      const file = await ctx.mailboxes.store({ mailbox: fallback, flags: [], create: true, message: raw });
      done = {
        what: 'fallback',
        detail: `${fallback} (${file}) instead of ${target}: ${(e as Error).message}`,
      };
    }
  });
  return done;
}
