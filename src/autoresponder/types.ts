/**
 * The settings a user edits in a form, as JSON. The field names are a contract shared with the
 * webmail and the command line: do not rename them.
 */

/** What happens to the incoming message while the autoresponder answers it. */
export type OriginalAction = 'keep' | 'discard' | 'redirect' | 'copy';

export const ORIGINAL_ACTIONS: readonly OriginalAction[] = ['keep', 'discard', 'redirect', 'copy'];

export interface VacationSettings {
  enabled: boolean;
  /** The reply's subject; `${subject}` stands for the original subject. Empty: the server's default. */
  subject: string;
  /** The reply's text (line breaks as `\n`). */
  body: string;
  /** An HTML version: the reply is then sent as multipart/alternative with `body` as its text part. */
  html?: string;
  /** The reply's sender, `addr@example.com` or `Display Name <addr@example.com>`. */
  from?: string;
  /** The user's other addresses and aliases: mail to them is answered too. */
  addresses?: string[];
  /** At most one reply per sender in this many days (vacation `:days`). */
  days?: number;
  /** The same in seconds (vacation-seconds); never given together with `days`. */
  seconds?: number;
  /** ISO 8601 date-time with an offset, e.g. `2026-12-21T00:00:00+01:00`: no reply before. */
  start?: string;
  /** ISO 8601 date-time with an offset: no reply after. */
  end?: string;
  /** IANA time zone the dates are shown in (e.g. `Europe/Paris`). */
  timezone?: string;
  /** Default `keep`. */
  original?: OriginalAction;
  /** Where `redirect` and `copy` send the message. */
  forwardTo?: string[];
  /** No reply to mail the platform's spam rule files as Junk. Default true. */
  skipSpam?: boolean;
}

export interface ForwardSettings {
  enabled: boolean;
  /** 1 to 15 addresses. */
  to: string[];
  /** Keep a copy in the mailbox as well. */
  keepCopy: boolean;
}

/** What `show` prints when a script has no such rule. */
export interface NoRule {
  enabled: false;
}

/** Stable codes for bad settings; the webmail translates them. */
export type SettingsErrorCode =
  | 'not-an-object'
  | 'unknown-field'
  | 'required'
  | 'wrong-type'
  | 'empty'
  | 'control-character'
  | 'invalid-text'
  | 'invalid-address'
  | 'too-many-addresses'
  | 'duplicate-address'
  | 'invalid-date'
  | 'end-before-start'
  | 'unknown-timezone'
  | 'days-and-seconds'
  | 'out-of-range'
  | 'invalid-choice'
  | 'forward-to-required'
  | 'forward-to-unused'
  | 'unsupported-variable'
  | 'too-long';

/** One problem in a settings object: where (a JSON path such as `forwardTo[2]`), a code, English text. */
export interface SettingsProblem {
  path: string;
  code: SettingsErrorCode;
  message: string;
}

export type Validated<T> = { ok: true; settings: T } | { ok: false; problems: SettingsProblem[] };

/** Thrown by the generator when it is handed settings that do not validate. */
export class SettingsError extends Error {
  constructor(readonly problems: SettingsProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    this.name = 'SettingsError';
  }
}

/** The most forward addresses a rule may have. */
export const MAX_FORWARD_ADDRESSES = 15;
/** Longest reply text accepted (characters), well under the engine's script size limit. */
export const MAX_BODY_LENGTH = 256 * 1024;
