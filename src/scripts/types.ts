/** Where a user's Sieve scripts live. Names are validated script names (see protocol/names.ts). */
export interface ScriptStore {
  /** All scripts of the user, with the active one flagged. */
  list(user: string): Promise<ScriptInfo[]>;
  /** The script's bytes exactly as stored, or null when there is no such script. */
  get(user: string, name: string): Promise<Buffer | null>;
  /** Creates or atomically replaces a script; enforces the quota (throws ScriptStoreError with a QUOTA code). */
  put(user: string, name: string, content: Buffer): Promise<void>;
  /** Throws NONEXISTENT, or ACTIVE for the active script. */
  delete(user: string, name: string): Promise<void>;
  /** Throws NONEXISTENT or ALREADYEXISTS; the active script stays active under its new name. */
  rename(user: string, oldName: string, newName: string): Promise<void>;
  /** Activates a script, or deactivates with null. Throws NONEXISTENT. */
  setActive(user: string, name: string | null): Promise<SetActiveResult>;
  /** The active script (what mail delivery runs), or null. */
  getActive(user: string): Promise<ActiveScript | null>;
  /** Whether a script of `size` bytes named `name` would fit (HAVESPACE, and the check before a PUTSCRIPT upload). */
  haveSpace(user: string, name: string, size: number): Promise<QuotaCheck>;
}

export interface ScriptInfo {
  name: string;
  active: boolean;
}

export interface ActiveScript {
  name: string;
  content: Buffer;
}

export type SetActiveResult = 'activated' | 'deactivated' | 'none-active';

export type QuotaCode = 'QUOTA' | 'QUOTA/MAXSCRIPTS' | 'QUOTA/MAXSIZE';

export type QuotaCheck = { ok: true } | { ok: false; code: QuotaCode; message: string };

export interface QuotaLimits {
  /** Most scripts per user; 0 = unlimited. */
  maxScripts: number;
  /** Most bytes of all scripts of a user together; 0 = unlimited. */
  maxStorage: number;
  /** Most bytes of one script; 0 = unlimited. */
  maxScriptSize: number;
}

export const DEFAULT_QUOTA: QuotaLimits = { maxScripts: 0, maxStorage: 0, maxScriptSize: 1024 * 1024 };

export type StoreErrorCode = 'NONEXISTENT' | 'ACTIVE' | 'ALREADYEXISTS' | 'INVALIDNAME' | QuotaCode;

export class ScriptStoreError extends Error {
  override name = 'ScriptStoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a prospective write against quota limits, given the user's current scripts and their sizes. */
export function checkQuota(
  limits: QuotaLimits,
  existing: ReadonlyMap<string, number>,
  name: string,
  size: number,
): QuotaCheck {
  if (limits.maxScriptSize > 0 && size > limits.maxScriptSize) {
    return {
      ok: false,
      code: 'QUOTA/MAXSIZE',
      message: `Script is too large (max ${limits.maxScriptSize} bytes).`,
    };
  }
  const replacing = existing.has(name);
  if (limits.maxScripts > 0 && !replacing && existing.size + 1 > limits.maxScripts) {
    return {
      ok: false,
      code: 'QUOTA/MAXSCRIPTS',
      message: `Script count quota exceeded (max ${limits.maxScripts} scripts).`,
    };
  }
  if (limits.maxStorage > 0) {
    let total = 0;
    for (const [n, s] of existing) if (n !== name) total += s;
    if (total + size > limits.maxStorage) {
      return {
        ok: false,
        code: 'QUOTA',
        message: `Script storage quota exceeded (max ${limits.maxStorage} bytes for all scripts).`,
      };
    }
  }
  return { ok: true };
}
