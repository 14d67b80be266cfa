import { promises as fsp, type Dirent } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The Maildir++ quota file `maildirsize`, kept as Dovecot's quota plugin keeps it with its
 * `maildir` backend, so Dovecot and tamis see the same usage:
 *
 *   1048576S,10C      the limits (bytes, messages); `0S` when there are none
 *   4711 3            one line per change: bytes and messages added (negative for removals)
 *
 * The usage is the sum of the lines. Writers only append (O_APPEND, one write each), so concurrent
 * deliveries never lose a line; a file that cannot be trusted is recounted from the folders.
 */

/** Limits of a mailbox tree; 0 means no limit. */
export interface QuotaLimits {
  bytes: number;
  messages: number;
}

export interface QuotaUsage {
  bytes: number;
  messages: number;
}

export const QUOTA_FILE = 'maildirsize';
/** Larger than this, the file is recounted to keep it small (the Maildir++ rule Dovecot follows). */
export const QUOTA_FILE_MAX = 5120;
/** An over-quota sum older than this is recounted: a removal may have gone unrecorded. */
export const QUOTA_RECOUNT_AGE_MS = 15 * 60_000;

export function hasLimits(limits: QuotaLimits | null | undefined): limits is QuotaLimits {
  return !!limits && (limits.bytes > 0 || limits.messages > 0);
}

/** The first line of the file for `limits`, as Dovecot writes it. */
export function limitsLine(limits: QuotaLimits): string {
  const parts: string[] = [];
  if (limits.bytes > 0 || limits.messages === 0) parts.push(`${limits.bytes}S`);
  if (limits.messages > 0) parts.push(`${limits.messages}C`);
  return parts.join(',');
}

/** Whether storing one message of `size` bytes would go over `limits`; reaching a limit exactly is allowed. */
export function overQuota(
  usage: QuotaUsage,
  limits: QuotaLimits,
  size: number,
): 'storage' | 'messages' | null {
  if (limits.bytes > 0 && usage.bytes + size > limits.bytes) return 'storage';
  if (limits.messages > 0 && usage.messages + 1 > limits.messages) return 'messages';
  return null;
}

/**
 * Reads the file: its limits line and the sum of its complete lines. Null for a file that must be
 * recounted (garbage, a negative sum). An unfinished last line is another writer's append in
 * progress and is left out, as Dovecot does.
 */
export function parseQuotaFile(text: string): { limits: string; usage: QuotaUsage } | null {
  const lines = text.split('\n');
  lines.pop();
  const limits = lines.shift();
  if (limits === undefined || !/^(\d+S)?(,?\d+C)?$/.test(limits) || limits === '') return null;
  const usage = { bytes: 0, messages: 0 };
  for (const line of lines) {
    const m = /^\s*(-?\d+)\s+(-?\d+)\s*$/.exec(line);
    if (!m) return null;
    usage.bytes += Number(m[1]);
    usage.messages += Number(m[2]);
  }
  if (usage.bytes < 0 || usage.messages < 0 || !Number.isSafeInteger(usage.bytes)) return null;
  return { limits, usage };
}

/** A message file's size: Dovecot's `,S=` in the name when present, else the file's size. */
async function fileSize(dir: string, name: string): Promise<number | null> {
  const m = /,S=(\d+)/.exec(name);
  if (m) return Number(m[1]);
  try {
    return (await fsp.stat(join(dir, name))).size;
  } catch {
    return null; // Expunged meanwhile.
  }
}

async function sumFolder(dir: string, into: QuotaUsage): Promise<void> {
  for (const sub of ['new', 'cur']) {
    let names: string[];
    try {
      names = await fsp.readdir(join(dir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const size = await fileSize(join(dir, sub), name);
      if (size === null) continue;
      into.bytes += size;
      into.messages += 1;
    }
  }
}

/** Counts every folder of the tree (INBOX, Junk and Trash included, as Dovecot counts them). */
export async function countMaildir(root: string): Promise<QuotaUsage> {
  const usage = { bytes: 0, messages: 0 };
  await sumFolder(root, usage);
  let entries: Dirent[] = [];
  try {
    entries = await fsp.readdir(root, { withFileTypes: true });
  } catch {
    return usage;
  }
  for (const e of entries)
    if (e.isDirectory() && e.name.startsWith('.') && e.name !== '.' && e.name !== '..')
      await sumFolder(join(root, e.name), usage);
  return usage;
}

/** Recounts the tree and replaces the file (written aside, then renamed over it). */
export async function recountQuota(root: string, limits: QuotaLimits): Promise<QuotaUsage> {
  const usage = await countMaildir(root);
  const tmp = join(root, `${QUOTA_FILE}.${process.pid}.${hostname().replace(/[/:]/g, '_')}`);
  try {
    await fsp.writeFile(tmp, `${limitsLine(limits)}\n${usage.bytes} ${usage.messages}\n`, {
      mode: 0o600,
      flag: 'w',
    });
    await fsp.rename(tmp, join(root, QUOTA_FILE));
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    // The count stands even when the file cannot be written; the next delivery tries again.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return usage;
}

/**
 * The tree's usage under `limits`, from the file when it can be trusted, else recounted: missing,
 * unreadable as a quota file, larger than 5120 bytes, written for other limits, or over quota and
 * older than 15 minutes.
 */
export async function readQuota(root: string, limits: QuotaLimits, now = Date.now()): Promise<QuotaUsage> {
  const file = join(root, QUOTA_FILE);
  let text: string;
  let mtime: number;
  try {
    const handle = await fsp.open(file, 'r');
    try {
      const st = await handle.stat();
      if (st.size > QUOTA_FILE_MAX) return await recountQuota(root, limits);
      mtime = st.mtimeMs;
      text = await handle.readFile('latin1');
    } finally {
      await handle.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return recountQuota(root, limits);
  }
  const parsed = parseQuotaFile(text);
  if (!parsed || parsed.limits !== limitsLine(limits)) return recountQuota(root, limits);
  const u = parsed.usage;
  const full =
    (limits.bytes > 0 && u.bytes >= limits.bytes) || (limits.messages > 0 && u.messages >= limits.messages);
  if (full && now - mtime > QUOTA_RECOUNT_AGE_MS) return recountQuota(root, limits);
  return parsed.usage;
}

/** Records a change: one line appended in a single write, so concurrent writers never mix lines. */
export async function appendQuota(root: string, bytes: number, messages: number): Promise<void> {
  const handle = await fsp.open(join(root, QUOTA_FILE), 'a', 0o600);
  try {
    await handle.write(Buffer.from(`${bytes} ${messages}\n`));
  } finally {
    await handle.close();
  }
}

/** Thrown by `parseQuotaRules` for a rule it cannot read. */
export class QuotaRuleError extends Error {
  override readonly name = 'QuotaRuleError';
}

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A Dovecot storage size: a number with B, k, M, G or T; a bare number is kilobytes, as in Dovecot. */
export function parseStorageSize(value: string): number {
  const m = /^(\d+)\s*([bkmgt])?$/i.exec(value.trim());
  const size = m ? Number(m[1]) * (m[2] ? UNITS[m[2].toLowerCase()]! : 1024) : NaN;
  if (!Number.isSafeInteger(size))
    throw new QuotaRuleError(`cannot read storage size ${JSON.stringify(value)}`);
  return size;
}

/**
 * The limits of Dovecot quota rules (`*:storage=100M`, `*:messages=1000`, `*:bytes=N`,
 * `*:storage=0` for none). Only the default rule `*` applies: every folder counts towards it.
 * Rules for single folders are left out; relative and percentage rules are refused.
 */
export function parseQuotaRules(rules: string[]): Partial<QuotaLimits> {
  const out: Partial<QuotaLimits> = {};
  for (const rule of rules) {
    const colon = rule.indexOf(':');
    if (colon < 0) throw new QuotaRuleError(`quota rule ${JSON.stringify(rule)} has no mailbox part`);
    if (rule.slice(0, colon) !== '*') continue;
    for (const part of rule.slice(colon + 1).split(':')) {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
      const value = eq < 0 ? '' : part.slice(eq + 1);
      if (key === 'storage') out.bytes = parseStorageSize(value);
      else if (key === 'bytes') out.bytes = parseStorageSize(`${value}B`);
      else if (key === 'messages') {
        if (!/^\d{1,15}$/.test(value))
          throw new QuotaRuleError(`cannot read message count ${JSON.stringify(value)}`);
        out.messages = Number(value);
      } else if (key !== 'ignore' && key !== 'noenforcing')
        throw new QuotaRuleError(`unknown quota rule part ${JSON.stringify(part)}`);
    }
  }
  return out;
}
