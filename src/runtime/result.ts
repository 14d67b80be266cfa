import type { Position } from '../syntax/ast.js';
import type { MessageView } from '../message/types.js';
import type { MailtoNotifyFields } from '../actions/mailto.js';

interface ActionBase {
  /** Where in the script the action was taken (absent for the implicit keep). */
  pos?: Position;
  /** The message as the script had changed it when the action was taken; absent when unchanged. */
  message?: MessageView;
}

export interface KeepAction extends ActionBase {
  type: 'keep';
  mailbox: string;
  implicit?: boolean;
  flags?: string[];
}
export interface FileintoAction extends ActionBase {
  type: 'fileinto';
  mailbox: string;
  copy?: boolean;
  create?: boolean;
  flags?: string[];
  /** RFC 8579 special-use attribute, when given. */
  specialUse?: string;
}
export interface RedirectAction extends ActionBase {
  type: 'redirect';
  address: string;
  copy?: boolean;
}
export interface DiscardAction extends ActionBase {
  type: 'discard';
}
export interface RejectAction extends ActionBase {
  type: 'reject' | 'ereject';
  reason: string;
}
export interface VacationAction extends ActionBase {
  type: 'vacation';
  reason: string;
  /** :subject, or "Auto: " and the original subject (RFC 5230 §4.3). */
  subject?: string;
  /** :from as written, or else the user's address found in the message's recipient fields. */
  from?: string;
  addresses: string[];
  /** Minimum time between two replies to one sender (from :days or :seconds). */
  seconds: number;
  handle: string;
  mime: boolean;
  /** The sender the reply goes to (the envelope sender); absent when no reply may be sent. */
  to?: string;
  /** Why RFC 5230 §4.5/§4.6 forbid a reply here (null sender, list mail, not sent to the user, ...). */
  suppressed?: string;
}
/**
 * RFC 5435 notify: a notification for the host to send. The method is mailto (RFC 5436), parsed
 * into `mailto`; `buildMailtoNotification` turns the action into the message to send.
 */
export interface NotifyAction extends ActionBase, MailtoNotifyFields {
  type: 'notify';
}
/** Actions of extensions outside the standard set (a host's own) keep their own fields. */
export interface OtherAction extends ActionBase {
  type: 'other';
  name: string;
  fields: Record<string, unknown>;
}

export type Action =
  | KeepAction
  | FileintoAction
  | RedirectAction
  | DiscardAction
  | RejectAction
  | VacationAction
  | NotifyAction
  | OtherAction;

/**
 * Something the run wants remembered, for the host to commit once the message is stored
 * (RFC 7352 §3: a duplicate record counts only for a delivered message).
 */
export interface DuplicateEffect {
  type: 'duplicate';
  /** Whose records (see DuplicateQuery). */
  user: string;
  key: string;
  /** How long the mark counts as seen from now. */
  seconds: number;
  /** :last: the mark's time is refreshed even when it was a duplicate already. */
  last: boolean;
}
/**
 * A vacation reply the result sends (RFC 5230 §4.2): the host records it, once the message is
 * stored, so that `Host.vacationReplied` answers yes for the next `seconds`.
 */
export interface VacationEffect {
  type: 'vacation';
  /** Whose records (see VacationQuery). */
  user: string;
  handle: string;
  /** The address replied to (the envelope sender). */
  sender: string;
  seconds: number;
}
export type Effect = DuplicateEffect | VacationEffect;

/** Thrown when an action cannot be added; the runtime turns it into a run-time error at the action's place. */
export class ActionConflict extends Error {}

export interface ResultLimits {
  maxActions: number;
  maxRedirects: number;
}

/**
 * Actions a script has taken, in order, with duplicates merged (one delivery per mailbox, one
 * redirect per address) and conflicts refused, plus the implicit keep (RFC 5228 §2.10.2).
 */
export class Result {
  readonly actions: Action[] = [];
  /** What the host should remember after storing the message, in order. */
  readonly effects: Effect[] = [];
  implicitKeep = true;
  private redirects = 0;
  /** Actions (a prefix of `actions`) a host has executed already, when several scripts share one result. */
  private executedCount = 0;

  constructor(private readonly limits: ResultLimits) {}

  /** Adds an action; `cancelsKeep` is false for :copy and for actions such as vacation. */
  add(action: Action, cancelsKeep: boolean): void {
    // A second reject after one already sent is dropped: the sender got the answer.
    if (rejects(action) && this.executedHas(rejects)) {
      if (cancelsKeep) this.implicitKeep = false;
      return;
    }
    // A vacation after one an earlier script of a sequence took is dropped without an error.
    if (action.type === 'vacation' && this.executedHas((a) => a.type === 'vacation')) return;
    const existing = this.findDuplicate(action);
    if (existing) {
      mergeInto(existing, action);
    } else {
      this.checkConflicts(action);
      if (this.actions.length >= this.limits.maxActions) {
        throw new ActionConflict(`total number of actions exceeds policy limit (${this.limits.maxActions})`);
      }
      if (action.type === 'redirect') {
        if (this.redirects >= this.limits.maxRedirects) {
          throw new ActionConflict(
            `number of redirect actions exceeds policy limit (${this.limits.maxRedirects})`,
          );
        }
        this.redirects++;
      }
      this.actions.push(action);
    }
    if (cancelsKeep) this.implicitKeep = false;
  }

  /** Records that the host has executed every action so far (multiscript: before the next script runs). */
  markExecuted(): void {
    this.executedCount = this.actions.length;
  }

  /** How many actions (a prefix of `actions`) earlier scripts of a sequence took. */
  get executed(): number {
    return this.executedCount;
  }

  private executedHas(test: (a: Action) => boolean): boolean {
    for (let i = 0; i < this.executedCount; i++) if (test(this.actions[i]!)) return true;
    return false;
  }

  /** Final list as a host executes it: the implicit keep appended when still in force. */
  final(): Action[] {
    const out = this.actions.slice();
    if (!this.implicitKeep) return out;
    // An explicit store into INBOX already delivers the message there.
    for (let i = 0; i < out.length; i++) if (storesInto(out[i]!) === 'INBOX') return out;
    const keep: KeepAction = { type: 'keep', mailbox: 'INBOX', implicit: true };
    out.push(keep);
    return out;
  }

  private findDuplicate(action: Action): Action | undefined {
    const box = storesInto(action);
    if (box !== null) {
      for (let i = 0; i < this.actions.length; i++) {
        if (storesInto(this.actions[i]!) === box) return this.actions[i];
      }
      return undefined;
    }
    if (action.type === 'redirect') {
      const key = normalizeAddress(action.address);
      return this.actions.find((a) => a.type === 'redirect' && normalizeAddress(a.address) === key);
    }
    if (action.type === 'discard') return this.actions.find((a) => a.type === 'discard');
    return undefined;
  }

  private checkConflicts(action: Action): void {
    const actions = this.actions;
    if (actions.length === 0) return;
    if (rejects(action)) {
      // A delivery executed already (an earlier script of a sequence) no longer conflicts.
      for (let i = this.executedCount; i < actions.length; i++) {
        const other = actions[i]!;
        if (delivers(other) || other.type === 'vacation' || rejects(other)) {
          throw new ActionConflict(`${action.type} action conflicts with earlier ${describe(other)} action`);
        }
      }
    } else if (delivers(action) || action.type === 'vacation') {
      for (let i = 0; i < actions.length; i++) {
        const rej = actions[i]!;
        if (rejects(rej))
          throw new ActionConflict(`${describe(action)} action conflicts with earlier ${rej.type} action`);
      }
    }
    if (action.type === 'vacation' && actions.some((a) => a.type === 'vacation')) {
      throw new ActionConflict('duplicate vacation action not allowed');
    }
  }
}

function rejects(a: Action): boolean {
  return a.type === 'reject' || a.type === 'ereject';
}

function describe(a: Action): string {
  return a.type === 'other' ? a.name : a.type;
}

/** The mailbox an action stores into, or null for actions that do not store. */
export function storesInto(a: Action): string | null {
  if (a.type === 'keep' || a.type === 'fileinto') return normalizeMailbox(a.mailbox);
  return null;
}

function delivers(a: Action): boolean {
  return a.type === 'keep' || a.type === 'fileinto' || a.type === 'redirect';
}

/** INBOX is case-insensitive (RFC 3501 §5.1), also as the first level of a hierarchy; the rest is as written. */
export function normalizeMailbox(name: string): string {
  const first = name.charCodeAt(0);
  if (name.length < 5 || (first < 0x80 && (first | 0x20) !== 0x69) /* not i or I */) return name;
  const head = name.slice(0, 5);
  if (head.toUpperCase() !== 'INBOX' || head === 'INBOX') return name;
  const rest = name.slice(5);
  return rest === '' || rest[0] === '.' || rest[0] === '/' ? 'INBOX' + rest : name;
}

function normalizeAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at) + address.slice(at).toLowerCase();
}

function mergeInto(existing: Action, added: Action): void {
  // RFC 5232 :flags: when duplicate stores into one mailbox merge, the last flag list wins.
  if (
    (existing.type === 'keep' || existing.type === 'fileinto') &&
    (added.type === 'keep' || added.type === 'fileinto')
  ) {
    if (added.flags) existing.flags = added.flags;
    else delete existing.flags;
  }
  // A store without :copy makes the merged one count as final delivery.
  if (existing.type === 'fileinto' && added.type === 'fileinto') {
    if (!added.copy) delete existing.copy;
    if (added.create) existing.create = true;
  }
  if (existing.type === 'fileinto' && added.type === 'keep') {
    // keep and fileinto "INBOX" are one delivery; report it as the explicit keep.
    Object.assign(existing, { type: 'keep', mailbox: 'INBOX' });
    delete (existing as Partial<FileintoAction>).copy;
    delete (existing as Partial<FileintoAction>).create;
  }
  if (existing.type === 'redirect' && added.type === 'redirect' && !added.copy) delete existing.copy;
}
