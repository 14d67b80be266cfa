import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { folderDirectory } from '../maildir/layout.js';
import { deliverToMaildir, MaildirWriteError } from '../maildir/writer.js';
import { TemporaryDeliveryError, type Mailboxes } from './ports.js';

/** A user's Maildir++ tree as the delivery core's mailboxes (INBOX at `root`). */
export function maildirMailboxes(root: string): Mailboxes {
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
      try {
        const file = await deliverToMaildir(root, request.message, {
          folder: request.mailbox,
          flags: request.flags,
          create: request.create,
        });
        return basename(file);
      } catch (e) {
        // Disk trouble is worth retrying; a folder that cannot be used is not (the caller falls back).
        if (e instanceof MaildirWriteError && e.temporary) throw new TemporaryDeliveryError(e.message);
        throw e;
      }
    },
  };
}
