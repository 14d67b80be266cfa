import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { folderDirectory } from '../maildir/layout.js';
import { appendQuota, hasLimits, overQuota, readQuota, type QuotaLimits } from '../maildir/quota.js';
import { deliverToMaildir, MaildirWriteError } from '../maildir/writer.js';
import { QuotaExceededError, TemporaryDeliveryError, type Mailboxes } from './ports.js';

/** The mailbox quota of one user's tree. */
export interface MailboxQuota {
  /** The user's limits, or null for none; a rejection is a temporary failure. */
  limits(): Promise<QuotaLimits | null>;
  /** Over quota is a temporary failure (452 4.2.2 / 75) instead of a bounce (Dovecot's quota_full_tempfail). */
  tempfail: boolean;
}

export const MAILBOX_FULL = 'Mailbox is full';

function temporary(e: unknown): TemporaryDeliveryError {
  return new TemporaryDeliveryError(`quota: ${(e as Error).message}`);
}

/**
 * A user's Maildir++ tree as the delivery core's mailboxes (INBOX at `root`). With a quota, each
 * store is checked against `maildirsize` first and recorded there once the message is stored.
 */
export function maildirMailboxes(root: string, quota?: MailboxQuota): Mailboxes {
  return {
    async exists(mailbox) {
      let rel: string;
      try {
        rel = folderDirectory(mailbox);
      } catch {
        return false;
      }
      if (rel === '') return true;
      try {
        await fsp.access(join(root, rel, 'new'));
        return true;
      } catch {
        return false;
      }
    },
    async store(request) {
      let limits: QuotaLimits | null = null;
      if (quota) {
        try {
          limits = await quota.limits();
          if (hasLimits(limits)) {
            const usage = await readQuota(root, limits);
            const over = overQuota(usage, limits, request.message.length);
            if (over) throw new QuotaExceededError(MAILBOX_FULL, !quota.tempfail);
          }
        } catch (e) {
          if (e instanceof QuotaExceededError) throw e;
          throw temporary(e);
        }
      }
      let file: string;
      try {
        file = await deliverToMaildir(root, request.message, {
          folder: request.mailbox,
          flags: request.flags,
          create: request.create,
        });
      } catch (e) {
        // Disk trouble is worth retrying; a folder that cannot be used is not (the caller falls back).
        if (e instanceof MaildirWriteError && e.temporary) throw new TemporaryDeliveryError(e.message);
        throw e;
      }
      // The message is stored: a failure to record it now only leaves the sum short until a recount.
      if (hasLimits(limits)) await appendQuota(root, request.message.length, 1).catch(() => {});
      return basename(file);
    },
  };
}
