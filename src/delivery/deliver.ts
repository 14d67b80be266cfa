import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDiagnostic, parseMessage, type Action, type Envelope, type SieveEngine } from '../index.js';
import type { UserDirectory } from '../accounts/types.js';
import type { DeliveryOutcome } from './outcome.js';
import { QuotaExceededError, TemporaryDeliveryError, type Mailboxes, type Outbox } from './ports.js';
import { executeActions, type Done } from './execute.js';
import { resolveRecipient } from './recipient.js';
import { spamBeforeScript, type SpamRule } from './spam-rule.js';
import { withTrustedScores } from './spam-score.js';

/** A script of the sequence: its name (for logs) and text. */
export interface NamedScript {
  name: string;
  source: string;
}

export interface DeliveryDeps {
  /** Configured with the spam rule's spamtest settings (`spamEngineSettings`). */
  engine: SieveEngine;
  directory: Pick<UserDirectory, 'exists'> & { home?(user: string): Promise<string | null> };
  /** The user's active script, or null. */
  activeScript(user: string, home: string): Promise<NamedScript | null>;
  /** Folder of a user's files when the directory names none. */
  homeOf(user: string): string;
  mailboxes(user: string, home: string): Mailboxes;
  outbox: Outbox;
  spam: SpamRule;
  before?: NamedScript[];
  after?: NamedScript[];
  /** `+` in `alice+lists@`. */
  detailSeparator?: string;
  /** Deliver `alice+lists@` into the folder `lists` when it exists (lmtp_save_to_detail_mailbox). */
  detailMailbox?: boolean;
  autocreate?: boolean;
  log?: (line: DeliveryLogLine) => void;
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
  untrustedScores?: number;
}

/** Appends a script's problems to the user's Sieve log, next to the active script (Pigeonhole's `.dovecot.sieve.log`). */
async function userLog(home: string, lines: string[]): Promise<void> {
  if (!lines.length) return;
  const stamp = new Date().toISOString();
  await appendFile(join(home, '.dovecot.sieve.log'), lines.map((l) => `${stamp} ${l}\n`).join('')).catch(
    () => {},
  );
}

/**
 * Runs the sequence as Pigeonhole does: before-scripts, the personal script, after-scripts; each
 * later script runs only while the implicit keep is in force, and the store of that keep happens once
 * at the end. A script that does not compile or fails at run time ends the sequence with a keep.
 */
function runSequence(
  engine: SieveEngine,
  scripts: NamedScript[],
  message: Buffer,
  envelope: Envelope,
): { actions: Action[]; errors: string[] } {
  const view = parseMessage(message);
  const actions: Action[] = [];
  const errors: string[] = [];
  let keep: Action | null = null;
  for (const script of scripts) {
    const { program, errors: compileErrors } = engine.compile(script.source);
    if (!program) {
      errors.push(...compileErrors.map((e) => formatDiagnostic(e, script.name)));
      keep = { type: 'keep', mailbox: 'INBOX', implicit: true };
      break;
    }
    const run = engine.run(program, view, envelope);
    if (run.status !== 'ok') errors.push(...run.errors.map((e) => formatDiagnostic(e, script.name)));
    keep = null;
    for (const a of run.actions) {
      if (a.type === 'keep') keep = a;
      else actions.push(a);
    }
    if (run.status !== 'ok' || !keep) break;
  }
  if (keep) actions.push(keep);
  return { actions, errors };
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
  try {
    const found = await resolveRecipient(deps.directory, request.recipient, deps.detailSeparator ?? '+');
    if (!found) return finish({ kind: 'unknown-user', detail: "User doesn't exist" });
    line.user = found.user;
    const home = (await deps.directory.home?.(found.user)) ?? deps.homeOf(found.user);
    const { message, untrusted } = withTrustedScores(request.message, deps.spam.trust);
    if (untrusted) line.untrustedScores = untrusted;
    line.msgid = parseMessage(message).rawHeader('message-id')[0]?.trim() ?? null;

    const mailboxes = deps.mailboxes(found.user, home);
    let defaultMailbox = request.mailbox ?? 'INBOX';
    if (!request.mailbox && deps.detailMailbox && found.detail && (await mailboxes.exists(found.detail))) {
      defaultMailbox = found.detail;
    }
    const personal = await deps.activeScript(found.user, home);
    const scripts = [
      ...(deps.spam.enabled ? [{ name: 'spam (global)', source: spamBeforeScript(deps.spam) }] : []),
      ...(deps.before ?? []),
      ...(personal ? [personal] : []),
      ...(deps.after ?? []),
    ];
    const envelope: Envelope = {
      from: request.sender,
      to: request.recipient,
      ...(request.originalRecipient ? { origTo: request.originalRecipient } : {}),
    };
    const { actions, errors } = runSequence(deps.engine, scripts, message, envelope);
    line.errors = errors;
    await userLog(home, errors);
    const result = await executeActions(actions, {
      user: found.user,
      config: deps.engine.config,
      envelope,
      message: parseMessage(request.message),
      mailboxes,
      outbox: deps.outbox,
      defaultMailbox,
      autocreate: deps.autocreate ?? false,
    });
    line.done = result.done;
    if (result.rejected !== null)
      return finish({ kind: 'rejected', detail: result.rejected.split(/\r?\n/)[0]! });
    return finish({ kind: 'delivered', detail: 'Saved' });
  } catch (e) {
    line.errors.push(e instanceof Error ? e.message : String(e));
    if (e instanceof QuotaExceededError)
      return finish({ kind: 'over-quota', detail: e.message, permanent: e.permanent });
    const detail = e instanceof TemporaryDeliveryError ? e.message : 'Temporary internal failure';
    return finish({ kind: 'tempfail', detail });
  }
}
