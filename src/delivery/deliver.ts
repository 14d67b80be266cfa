import { createHash } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMessage, type Envelope, type SieveEngine } from '../index.js';
import type { UserDirectory } from '../accounts/types.js';
import type { DeliveryRecord, DeliveryStores } from '../stores/types.js';
import type { DeliveryOutcome } from './outcome.js';
import { QuotaExceededError, TemporaryDeliveryError, type Mailboxes, type Outbox } from './ports.js';
import { executeActions, type Done } from './execute/index.js';
import type { ExecuteContext } from './execute/types.js';
import type { Srs } from './policy/srs.js';
import { resolveRecipient } from './recipient.js';
import { runSequence, type NamedScript } from './sequence.js';
import { spamBeforeScript, type SpamRule } from './spam-rule.js';
import { withTrustedScores } from './spam-score.js';
import { checkSrsAddress, INVALID_SRS, returnBounce, type SrsVerdict } from './srs-return.js';

export type { NamedScript } from './sequence.js';

export interface DeliveryDeps {
  /** Configured with the spam rule's spamtest settings (`spamEngineSettings`). */
  engine: SieveEngine;
  directory: Pick<UserDirectory, 'exists'>;
  /** A user's home folder (the same one ManageSieve keeps the user's scripts in). */
  homeOf(user: string): Promise<string>;
  /** The user's active script, or null. */
  activeScript(user: string, home: string): Promise<NamedScript | null>;
  mailboxes(user: string, home: string): Mailboxes;
  outbox: Outbox;
  stores: DeliveryStores;
  spam: SpamRule;
  before?: NamedScript[];
  after?: NamedScript[];
  /** `+` in `alice+lists@`. */
  detailSeparator?: string;
  /** Deliver `alice+lists@` into the folder `lists` when it exists (lmtp_save_to_detail_mailbox). */
  detailMailbox?: boolean;
  autocreate?: boolean;
  /** How a Sieve `reject` is answered: refused in the protocol (default) or by a rejection MDN. */
  reject?: 'protocol' | 'message';
  /** This host's name in rejection MDNs and trace fields. Default the machine's. */
  hostname?: string;
  /** With SRS, mail to `SRS0=...@srs.domain` is a bounce to return to the original sender. */
  srs?: Srs | null;
  log?: (line: DeliveryLogLine) => void;
  now?: () => Date;
}

export interface DeliveryRequest {
  message: Buffer;
  sender: string;
  recipient: string;
  originalRecipient?: string;
  /** `-m`: where the implicit keep goes instead of INBOX. */
  mailbox?: string;
}

/** One structured log line per delivery, in the spirit of Dovecot's `lda(user): sieve: msgid=...`. */
export interface DeliveryLogLine {
  user: string | null;
  recipient: string;
  msgid: string | null;
  size: number;
  outcome: DeliveryOutcome['kind'];
  done: Done[];
  errors: string[];
  /** The trusted spam score, when the message carries one. */
  spamScore?: number;
  /** Score headers that came from outside and were hidden from the scripts. */
  untrustedScores?: number;
}

/** Appends a script's problems to the user's Sieve log, next to the active script (Pigeonhole's `.dovecot.sieve.log`). */
async function userLog(home: string, lines: string[]): Promise<void> {
  if (!lines.length) return;
  const stamp = new Date().toISOString();
  await mkdir(home, { recursive: true, mode: 0o700 }).catch(() => {});
  await appendFile(join(home, '.dovecot.sieve.log'), lines.map((l) => `${stamp} ${l}\n`).join(''), {
    mode: 0o600,
  }).catch(() => {});
}

/** The delivery record's key: the same bytes for the same recipient are the same delivery. */
export function deliveryKey(recipient: string, message: Buffer): string {
  const hash = createHash('sha256').update(message).digest('hex');
  return `${recipient.toLowerCase()} ${hash}`;
}

function spamScore(message: Buffer, rule: SpamRule): number | undefined {
  const value = parseMessage(message).rawHeader(rule.trust.header)[0];
  const m = value === undefined ? null : new RegExp(rule.pattern).exec(value);
  return m?.[1] === undefined ? undefined : Number(m[1].replace(',', '.'));
}

/** Mail to an SRS address of ours: a bounce we return to the original sender, or a forgery we refuse. */
async function srsReturn(
  deps: DeliveryDeps,
  request: DeliveryRequest,
  srs: SrsVerdict,
  key: string,
  now: Date,
  line: DeliveryLogLine,
): Promise<DeliveryOutcome> {
  if (!srs.valid) {
    line.errors.push(srs.reason);
    return { kind: 'unknown-user', detail: INVALID_SRS };
  }
  line.msgid = parseMessage(request.message).rawHeader('message-id')[0]?.trim() ?? null;
  // An MTA retry after a crash between queueing and answering must not return it twice.
  if ((await deps.stores.deliveries.get(key))?.done) {
    line.done.push({ what: 'skipped', detail: 'returned on an earlier attempt' });
    return { kind: 'delivered', detail: 'Returned (already returned)' };
  }
  const outcome = await returnBounce(deps.outbox, request, srs.original, now, deps.hostname);
  line.done.push({ what: 'redirected', detail: `bounce returned to ${srs.original}` });
  await deps.stores.deliveries.put(key, { stored: [], sent: ['srs-return'], done: true }, now);
  return outcome;
}

/** Delivers one message to one recipient. Never throws: every failure is an outcome. */
export async function deliver(deps: DeliveryDeps, request: DeliveryRequest): Promise<DeliveryOutcome> {
  const line: DeliveryLogLine = {
    user: null,
    recipient: request.recipient,
    msgid: null,
    size: request.message.length,
    outcome: 'tempfail',
    done: [],
    errors: [],
  };
  const finish = (outcome: DeliveryOutcome): DeliveryOutcome => {
    line.outcome = outcome.kind;
    deps.log?.(line);
    return outcome;
  };
  let context: ExecuteContext | null = null;
  try {
    const now = deps.now?.() ?? new Date();
    const key = deliveryKey(request.recipient, request.message);
    const srs = deps.srs ? checkSrsAddress(deps.srs, request.recipient, now) : null;
    if (srs) return finish(await srsReturn(deps, request, srs, key, now, line));
    const found = await resolveRecipient(deps.directory, request.recipient, deps.detailSeparator ?? '+');
    if (!found) return finish({ kind: 'unknown-user', detail: "User doesn't exist" });
    line.user = found.user;
    const original = parseMessage(request.message);
    line.msgid = original.rawHeader('message-id')[0]?.trim() ?? null;

    const earlier = await deps.stores.deliveries.get(key);
    if (earlier?.done) {
      line.done.push({ what: 'skipped', detail: 'delivered on an earlier attempt' });
      return finish({ kind: 'delivered', detail: 'Saved (already delivered)' });
    }
    const record: DeliveryRecord = earlier ?? { stored: [], sent: [], done: false };

    const home = await deps.homeOf(found.user);
    const { message, untrusted } = withTrustedScores(request.message, deps.spam.trust);
    if (untrusted) line.untrustedScores = untrusted;
    const score = spamScore(message, deps.spam);
    if (score !== undefined && Number.isFinite(score)) line.spamScore = score;

    const mailboxes = deps.mailboxes(found.user, home);
    let defaultMailbox = request.mailbox ?? 'INBOX';
    if (!request.mailbox && deps.detailMailbox && found.detail && (await mailboxes.exists(found.detail))) {
      defaultMailbox = found.detail;
    }
    const personal = await deps.activeScript(found.user, home);
    const scripts: NamedScript[] = [
      ...(deps.spam.enabled ? [{ name: 'spam (global)', source: spamBeforeScript(deps.spam) }] : []),
      ...(deps.before ?? []),
      ...(personal ? [{ ...personal, personal: true }] : []),
      ...(deps.after ?? []),
    ];
    const envelope: Envelope = {
      from: request.sender,
      to: request.recipient,
      ...(request.originalRecipient ? { origTo: request.originalRecipient } : {}),
    };
    const seq = await runSequence(scripts, {
      engine: deps.engine,
      user: found.user,
      envelope,
      message: parseMessage(message),
      mailboxes,
      duplicates: deps.stores.duplicates,
      vacation: deps.stores.vacation,
      now,
    });
    line.errors = seq.errors;
    if (seq.tempfail !== null) throw new TemporaryDeliveryError(seq.tempfail);
    await userLog(home, seq.userErrors);

    const ctx: ExecuteContext = {
      user: found.user,
      config: deps.engine.config,
      envelope,
      message: original,
      mailboxes,
      outbox: deps.outbox,
      defaultMailbox,
      autocreate: deps.autocreate ?? false,
      rejectBy: deps.reject ?? 'protocol',
      ...(deps.hostname ? { hostname: deps.hostname } : {}),
      now,
      record,
      saveRecord: () => deps.stores.deliveries.put(key, record, now),
    };
    context = ctx;
    const result = await executeActions(seq.actions, ctx);
    line.done = result.done;
    if (result.rejected !== null)
      return finish({ kind: 'rejected', detail: result.rejected.split(/\r?\n/)[0]! });
    if (result.rejectedByMessage) {
      // Accepted and answered: nothing stored, so nothing the run wants remembered is committed.
      record.done = true;
      await deps.stores.deliveries.put(key, record, now);
      return finish({ kind: 'delivered', detail: 'Rejected, the sender is told by mail' });
    }
    // RFC 7352 §3 and RFC 5230: what the run wants remembered counts only for a stored message.
    // Asked for together with the final record, so the stores commit them in one transaction.
    record.done = true;
    await Promise.all([
      ...seq.effects.map((effect) =>
        effect.type === 'duplicate'
          ? deps.stores.duplicates.mark(effect.user, effect.key, now)
          : deps.stores.vacation.recordReply(effect.user, effect.sender, effect.handle, now),
      ),
      deps.stores.deliveries.put(key, record, now),
    ]);
    return finish({ kind: 'delivered', detail: 'Saved' });
  } catch (e) {
    line.errors.push(e instanceof Error ? e.message : String(e));
    // A store not yet on record is recorded now if the store allows it, so a retry does not store again.
    if (context?.unsaved) {
      context.record.done = false;
      await context.saveRecord().catch(() => {});
    }
    if (e instanceof QuotaExceededError)
      return finish({ kind: 'over-quota', detail: e.message, permanent: e.permanent });
    const detail = e instanceof TemporaryDeliveryError ? e.message : 'Temporary internal failure';
    return finish({ kind: 'tempfail', detail });
  }
}
