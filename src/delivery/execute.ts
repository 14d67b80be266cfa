import {
  buildVacationReply,
  isRedirectLoop,
  redirectEnvelopeSender,
  REDIRECTED_FROM_FIELD,
  type Action,
  type EngineConfig,
  type Envelope,
  type MessageView,
} from '../index.js';
import type { Mailboxes, Outbox } from './ports.js';
import { QuotaExceededError, TemporaryDeliveryError } from './ports.js';

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
    | 'fallback';
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
}

export interface ExecuteResult {
  done: Done[];
  /** Set when a reject/ereject refused the message and nothing was stored. */
  rejected: string | null;
}

const CRLF = '\r\n';

/** The bytes to store or send for an action: the edited message (editheader) when there is one. */
function bytesOf(action: Action, original: MessageView): Buffer {
  return (action.message ?? original).raw();
}

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
  return Buffer.concat([Buffer.from(`${REDIRECTED_FROM_FIELD}: <${user}>${CRLF}`), raw.subarray(start)]);
}

async function store(
  ctx: ExecuteContext,
  mailbox: string,
  flags: string[],
  create: boolean,
  raw: Buffer,
): Promise<string> {
  return ctx.mailboxes.store({ mailbox, flags, create, message: raw });
}

/**
 * Carries out a run's actions in order. Local stores come first in the list the engine gives, but
 * failures are handled per action as Pigeonhole does: a store into a folder that cannot be used
 * falls back to the default mailbox (then INBOX); a temporary failure anywhere ends the delivery
 * with a temporary failure, so nothing is acknowledged that was not done.
 */
export async function executeActions(actions: Action[], ctx: ExecuteContext): Promise<ExecuteResult> {
  const done: Done[] = [];
  let rejected: string | null = null;
  let stored = false;
  for (const action of actions) {
    switch (action.type) {
      case 'keep':
      case 'fileinto': {
        const target = action.type === 'keep' && action.implicit ? ctx.defaultMailbox : action.mailbox;
        const create = action.type === 'fileinto' ? (action.create ?? false) || ctx.autocreate : true;
        const raw = bytesOf(action, ctx.message);
        try {
          done.push({
            what: 'stored',
            detail: `${target} (${await store(ctx, target, action.flags ?? [], create, raw)})`,
          });
        } catch (e) {
          if (e instanceof TemporaryDeliveryError || e instanceof QuotaExceededError) throw e;
          // The folder is missing or unusable: file into the default mailbox, then INBOX.
          const fallback = target === ctx.defaultMailbox ? 'INBOX' : ctx.defaultMailbox;
          const id = await store(ctx, fallback, [], true, raw);
          done.push({
            what: 'fallback',
            detail: `${fallback} (${id}) instead of ${target}: ${(e as Error).message}`,
          });
        }
        stored = true;
        break;
      }
      case 'redirect': {
        if (isRedirectLoop(ctx.config, ctx.envelope, ctx.message)) {
          done.push({
            what: 'redirected',
            detail: `not to ${action.address}: already redirected for this user (loop)`,
          });
          break;
        }
        const from = redirectEnvelopeSender(ctx.config, ctx.envelope);
        await ctx.outbox.enqueue(ctx.user, {
          kind: 'redirect',
          from,
          to: [action.address],
          message: redirectedCopy(bytesOf(action, ctx.message), ctx.envelope.to),
        });
        done.push({ what: 'redirected', detail: `to ${action.address}${action.copy ? ' (copy)' : ''}` });
        break;
      }
      case 'vacation': {
        if (!action.to) {
          done.push({ what: 'vacation-suppressed', detail: action.suppressed ?? 'no recipient' });
          break;
        }
        const reply = buildVacationReply(action, ctx.message);
        await ctx.outbox.enqueue(ctx.user, {
          kind: 'vacation',
          from: '',
          to: [action.to],
          message: Buffer.from(reply),
        });
        done.push({ what: 'vacation', detail: `reply sent to ${action.to}` });
        break;
      }
      case 'reject':
      case 'ereject':
        rejected = action.reason;
        done.push({ what: 'rejected', detail: action.reason.split(/\r?\n/)[0] ?? '' });
        break;
      case 'discard':
        done.push({ what: 'discarded', detail: 'by the script' });
        break;
      case 'other':
        // Actions of extensions a delivery does not carry out are reported, not dropped silently.
        done.push({ what: 'notified', detail: `${action.name} not carried out here` });
        break;
    }
  }
  return { done, rejected: stored ? null : rejected };
}
