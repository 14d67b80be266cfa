import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliverToMaildir } from '../../src/maildir/writer.js';
import { hasDovecot, withDoveadm } from '../support/doveadm.js';

describe.skipIf(!hasDovecot)('Dovecot reads what deliverToMaildir wrote', () => {
  it('sees the folders (non-ASCII included) and flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tamis-dovecot-'));
    chmodSync(dir, 0o755);
    const maildir = join(dir, 'Maildir');
    await deliverToMaildir(maildir, Buffer.from('Subject: x\n\nb\n'), {
      folder: 'Entwürfe/Alt',
      create: true,
      flags: ['\\Seen', '\\Flagged'],
    });
    await deliverToMaildir(maildir, Buffer.from('Subject: y\n\nb\n'));
    await withDoveadm(maildir, (fetch) => {
      const out = fetch('mailbox flags');
      expect(out).toContain('mailbox: Entwürfe.Alt\nflags: \\Flagged \\Seen');
      expect(out).toContain('mailbox: INBOX\nflags: \\Recent');
    });
  }, 20_000);
});
