import type { EngineConfig, Envelope, MessageView } from '../../index.js';
import type { DeliveryRecord } from '../../stores/types.js';
import type { Mailboxes, Outbox } from '../ports.js';

/** One line of what delivery did, for the log and the user's Sieve log. */
export interface Done {
  what:
    | 'stored'
    | 'redirected'
    | 'vacation'
    | 'vacation-suppressed'
    | 'discarded'
    | 'rejected'
    | 'notified'
    | 'fallback'
    | 'skipped';
  detail: string;
}

export interface ExecuteContext {
  user: string;
  config: EngineConfig;
  envelope: Envelope;
  /** The message as received (what is stored when no script edited it). */
  message: MessageView;
  mailboxes: Mailboxes;
  outbox: Outbox;
  /** Where the implicit keep goes (`-m`, or the detail mailbox). */
  defaultMailbox: string;
  /** Create folders that `fileinto` names even without `:create` (Dovecot's lda_mailbox_autocreate). */
  autocreate: boolean;
  now: Date;
  /** `protocol`: a `reject` refuses the message (550 / exit 77); `message`: a rejection MDN is sent instead. */
  rejectBy?: 'protocol' | 'message';
  /** This host's name, for the Reporting-UA of rejections. Default the machine's. */
  hostname?: string;
  /**
   * What earlier attempts at this same delivery already did; updated and saved after each step,
   * so an MTA retry after a crash or a temporary failure repeats nothing.
   */
  record: DeliveryRecord;
  saveRecord(): Promise<void>;
  /**
   * Set when a store is in `record` but not yet saved. A store is saved with the next step that
   * saves (before another store or send begins) or with the delivery's final record, so a plain
   * delivery commits its record once.
   */
  unsaved?: boolean;
}

export interface ExecuteResult {
  done: Done[];
  /** Set when a reject/ereject refused the message and nothing was stored. */
  rejected: string | null;
  /** Set when a `reject` was answered by a message to the sender: the message is accepted, not stored. */
  rejectedByMessage?: boolean;
}

/**
 * Runs a step unless the delivery record says an earlier attempt did it; records it when done.
 * Returns false when the step was skipped.
 *
 * A send is first recorded as pending (`?id`), so a retry after a crash in mid-send knows the
 * outcome is uncertain: `ifUncertain: 'repeat'` sends again (a forward must not be lost; at worst
 * it arrives twice), `'skip'` does not (an automatic reply must not go out twice; at worst it is
 * missing, which RFC 3834 prefers).
 */
export async function once(
  ctx: ExecuteContext,
  list: 'stored' | 'sent',
  id: string,
  step: () => Promise<void>,
  ifUncertain: 'repeat' | 'skip' = 'repeat',
): Promise<boolean> {
  const entries = ctx.record[list];
  if (entries.includes(id)) return false;
  const pending = `?${id}`;
  if (list === 'sent') {
    if (entries.includes(pending)) {
      if (ifUncertain === 'skip') return false;
    } else {
      entries.push(pending);
      await save(ctx);
    }
  } else if (ctx.unsaved) {
    // What an earlier store did is on record before this one starts.
    await save(ctx);
  }
  await step();
  const at = entries.indexOf(pending);
  if (at >= 0) entries.splice(at, 1);
  entries.push(id);
  if (list === 'stored') ctx.unsaved = true;
  else await save(ctx);
  return true;
}

async function save(ctx: ExecuteContext): Promise<void> {
  await ctx.saveRecord();
  ctx.unsaved = false;
}
