import { accessSync, promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { storeDurably } from './durable-write.js';
import { folderDirectory, maildirInfo, uniqueName, virtualSize } from './layout.js';

/**
 * Writing a message into a Maildir++ tree the way a delivery agent must: into tmp/, fsync the
 * file, rename into new/ (or cur/ when flags are set), fsync the directory, so a crash leaves
 * either the whole message or nothing visible (durable-write.ts). The folder check runs in place.
 */

/** Why a delivery into the Maildir failed; `temporary` says the MTA should retry later. */
export class MaildirWriteError extends Error {
  override readonly name = 'MaildirWriteError';
  constructor(
    message: string,
    readonly temporary: boolean,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Disk conditions that may clear up (space freed, remounted, permissions fixed). */
const TEMPORARY_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EACCES',
  'EPERM',
  'EIO',
  'EMFILE',
  'ENFILE',
  'EAGAIN',
]);

function asWriteError(err: unknown, what: string): MaildirWriteError {
  if (err instanceof MaildirWriteError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new MaildirWriteError(
    `${what}: ${code ?? String(err)}`,
    code === undefined || TEMPORARY_CODES.has(code),
    code,
  );
}

export interface DeliverOptions {
  /** Folder name with '/' between levels; INBOX or undefined for the root. */
  folder?: string;
  /** IMAP flags and keywords to set; with any, the message goes to cur/. */
  flags?: readonly string[];
  /** Create the folder when it does not exist (and subscribe to it). */
  create?: boolean;
}

let counter = 0;
/** The host part of unique names, read once (Dovecot reads it at start as well). */
let host: string | undefined;

async function ensureMaildirDirs(dir: string): Promise<void> {
  for (const sub of ['tmp', 'new', 'cur']) await fsp.mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
}

/** Adds `folder` to the Maildir++ `subscriptions` file unless it is listed already. */
export async function subscribe(root: string, folder: string): Promise<void> {
  const file = join(root, 'subscriptions');
  let text = '';
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const names = text.split('\n').filter((l) => l !== '');
  if (names.includes(folder)) return;
  await fsp.writeFile(file, [...names, folder].join('\n') + '\n', { mode: 0o600 });
}

/**
 * Delivers `message` into the Maildir++ tree at `root`; returns the path of the new file.
 * Folder names are stored modified-UTF-7 encoded with '.' between levels, as Dovecot does.
 */
export async function deliverToMaildir(
  root: string,
  message: Uint8Array,
  opts: DeliverOptions = {},
): Promise<string> {
  const folder = opts.folder ?? 'INBOX';
  let rel: string;
  try {
    rel = folderDirectory(folder);
  } catch (err) {
    // A name that can never be stored: retrying will not help.
    throw new MaildirWriteError((err as Error).message, false, 'EINVAL');
  }
  const dir = rel === '' ? root : join(root, rel);
  try {
    try {
      accessSync(join(dir, 'new'));
    } catch {
      if (rel !== '' && !opts.create)
        throw new MaildirWriteError(`folder "${folder}" does not exist`, false, 'ENOENT');
      await ensureMaildirDirs(root);
      if (rel !== '') {
        await ensureMaildirDirs(dir);
        await fsp.writeFile(join(dir, 'maildirfolder'), '', { mode: 0o600 });
        await subscribe(root, folder.split('/').join('.'));
      }
    }
    const now = Date.now();
    const base = uniqueName({
      nowMs: now,
      micros: (now % 1000) * 1000 + Math.floor(Math.random() * 1000),
      pid: process.pid,
      counter: ++counter,
      host: (host ??= hostname()),
      size: message.length,
      vsize: virtualSize(message),
    });
    const flags = opts.flags ?? [];
    const target =
      flags.length > 0
        ? join(dir, 'cur', base + maildirInfo(flags, () => undefined))
        : join(dir, 'new', base);
    await storeDurably(join(dir, 'tmp', base), target, message);
    return target;
  } catch (err) {
    throw asWriteError(err, `cannot deliver into "${folder}"`);
  }
}
