import {
  isRedirectLoop,
  redirectEnvelopeSender,
  REDIRECTED_FROM_FIELD,
  type RedirectAction,
} from '../../index.js';
import { once, type Done, type ExecuteContext } from './types.js';

/**
 * The copy a redirect sends: marked with the user it was redirected for (loop detection) and
 * without Return-Path, which the next hop sets again.
 */
export function redirectedCopy(raw: Buffer, user: string): Buffer {
  let start = 0;
  while (/^return-path:/i.test(raw.toString('latin1', start, start + 12))) {
    let end = raw.indexOf(0x0a, start);
    while (end >= 0 && (raw[end + 1] === 0x20 || raw[end + 1] === 0x09)) end = raw.indexOf(0x0a, end + 1);
    if (end < 0) break;
    start = end + 1;
  }
  return Buffer.concat([Buffer.from(`${REDIRECTED_FROM_FIELD}: <${user}>\r\n`), raw.subarray(start)]);
}

export async function redirectAction(action: RedirectAction, ctx: ExecuteContext): Promise<Done> {
  if (isRedirectLoop(ctx.config, ctx.envelope, ctx.message)) {
    return {
      what: 'redirected',
      detail: `not to ${action.address}: already redirected for this user (loop)`,
    };
  }
  const from = redirectEnvelopeSender(ctx.config, ctx.envelope);
  const queued = await once(ctx, 'sent', `redirect:${action.address.toLowerCase()}`, () =>
    ctx.outbox.enqueue(ctx.user, {
      kind: 'redirect',
      from,
      to: [action.address],
      message: redirectedCopy((action.message ?? ctx.message).raw(), ctx.envelope.to),
    }),
  );
  if (!queued)
    return { what: 'skipped', detail: `redirect to ${action.address}: queued on an earlier attempt` };
  return { what: 'redirected', detail: `to ${action.address}${action.copy ? ' (copy)' : ''}` };
}
