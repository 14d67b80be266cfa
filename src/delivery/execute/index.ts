import { isRedirectLoop, type Action } from '../../index.js';
import { notifyAction } from './notify.js';
import { redirectAction } from './redirect.js';
import { rejectByMessage } from './reject.js';
import { storeAction } from './store.js';
import type { Done, ExecuteContext, ExecuteResult } from './types.js';
import { vacationAction } from './vacation.js';

export { redirectedCopy } from './redirect.js';
export type { Done, ExecuteContext, ExecuteResult } from './types.js';

const isStore = (a: Action): boolean => a.type === 'keep' || a.type === 'fileinto';

/**
 * Carries out a run's actions: local stores first, then what goes out (redirect, vacation,
 * notify), so a delivery that fails while storing has sent nothing yet. A temporary failure
 * anywhere rejects, and the delivery becomes a temporary failure.
 */
export async function executeActions(actions: Action[], ctx: ExecuteContext): Promise<ExecuteResult> {
  const done: Done[] = [];
  let rejected: string | null = null;
  let byMessage = false;
  let stored = false;
  const perFolder = new Map<string, number>();
  const stores = actions.filter(isStore);
  // A redirect skipped as a loop must not lose the message: with nothing else storing it, it is kept
  // (Pigeonhole keeps the message when it discards a redirect for a loop).
  const loop =
    actions.some((a) => a.type === 'redirect') && isRedirectLoop(ctx.config, ctx.envelope, ctx.message);
  if (loop && stores.length === 0) stores.push({ type: 'keep', mailbox: 'INBOX', implicit: true });
  const ordered = [...stores, ...actions.filter((a) => !isStore(a))];
  for (const action of ordered) {
    switch (action.type) {
      case 'keep':
      case 'fileinto': {
        const key = action.type === 'keep' && action.implicit ? '' : action.mailbox;
        const nth = (perFolder.get(key) ?? 0) + 1;
        perFolder.set(key, nth);
        done.push(await storeAction(action, ctx, nth));
        stored = true;
        break;
      }
      case 'redirect':
        done.push(await redirectAction(action, ctx));
        break;
      case 'vacation':
        done.push(await vacationAction(action, ctx));
        break;
      case 'reject':
      case 'ereject':
        // ereject is always refused in the protocol: it exists so that no message is sent.
        if (action.type === 'reject' && ctx.rejectBy === 'message') {
          done.push(await rejectByMessage(action, ctx));
          byMessage = true;
          break;
        }
        rejected = action.reason;
        done.push({ what: 'rejected', detail: action.reason.split(/\r?\n/)[0] ?? '' });
        break;
      case 'discard':
        done.push({ what: 'discarded', detail: 'by the script' });
        break;
      case 'notify':
        done.push(await notifyAction(action, ctx));
        break;
      case 'other':
        // Actions of extensions a delivery does not carry out are reported, not dropped silently.
        done.push({ what: 'notified', detail: `${action.name} not carried out here` });
        break;
    }
  }
  return {
    done,
    rejected: stored ? null : rejected,
    ...(byMessage && !stored ? { rejectedByMessage: true } : {}),
  };
}
