import type { EngineConfig, Envelope, MessageView } from '../../index.js';
import type { DeliveryRecord, VacationTracker } from '../../stores/types.js';
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
  vacation: VacationTracker;
  /** Where the implicit keep goes (`-m`, or the detail mailbox). */
  defaultMailbox: string;
  /** Create folders that `fileinto` names even without `:create` (Dovecot's lda_mailbox_autocreate). */
  autocreate: boolean;
  now: Date;
  /**
   * What earlier attempts at this same delivery already did; updated and saved after each step,
   * so an MTA retry after a crash or a temporary failure repeats nothing.
   */
  record: DeliveryRecord;
  saveRecord(): Promise<void>;
}

export interface ExecuteResult {
  done: Done[];
  /** Set when a reject/ereject refused the message and nothing was stored. */
  rejected: string | null;
  /** Steps to commit once the message is stored (vacation response tracking). */
  afterStored: Array<() => Promise<void>>;
}

/**
 * Runs a step unless the delivery record says an earlier attempt did it; records it when done.
 * Returns false when the step was skipped.
 */
export async function once(
  ctx: ExecuteContext,
  list: 'stored' | 'sent',
  id: string,
  step: () => Promise<void>,
): Promise<boolean> {
  if (ctx.record[list].includes(id)) return false;
  await step();
  ctx.record[list].push(id);
  await ctx.saveRecord();
  return true;
}
