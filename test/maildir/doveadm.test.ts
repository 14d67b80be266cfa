import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliverToMaildir } from '../../src/maildir/writer.js';

const hasDoveadm =
  spawnSync('which', ['doveadm']).status === 0 && spawnSync('which', ['dovecot']).status === 0;
// Dovecot refuses uid 0 for mail users, so as root the mailbox is handed to nobody.
const asRoot = process.getuid?.() === 0;

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

describe.skipIf(!hasDoveadm)('Dovecot reads what deliverToMaildir wrote', () => {
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
    const me = userInfo();
    const uid = asRoot ? Number(spawnSync('id', ['-u', 'nobody']).stdout.toString()) : me.uid;
    const gid = asRoot ? Number(spawnSync('id', ['-g', 'nobody']).stdout.toString()) : me.gid;
    mkdirSync(join(dir, 'home'));
    if (asRoot) chownTree(dir, uid, gid);
    const group = spawnSync('id', ['-gn']).stdout.toString().trim();
    const conf = join(dir, 'dovecot.conf');
    writeFileSync(
      conf,
      `base_dir = ${dir}/run\nstate_dir = ${dir}/state\nlog_path = ${dir}/log\n` +
        `default_internal_user = ${me.username}\ndefault_internal_group = ${group}\nfirst_valid_uid = 1\n` +
        `protocols =\nlisten = 127.0.0.1\nmail_location = maildir:${maildir}\n` +
        `userdb {\n  driver = static\n  args = uid=${uid} gid=${gid} home=${dir}/home\n}\n` +
        `passdb {\n  driver = static\n  args = nopassword=y\n}\n` +
        `service anvil {\n  chroot =\n}\nservice auth {\n  user = ${me.username}\n}\n`,
    );
    const master = spawn('dovecot', ['-F', '-c', conf], { stdio: 'ignore' });
    try {
      let out = '';
      for (let i = 0; i < 50 && !out.includes('mailbox:'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        out = spawnSync('doveadm', [
          '-c',
          conf,
          'fetch',
          '-u',
          'testu',
          'mailbox flags',
          'ALL',
        ]).stdout.toString();
      }
      expect(out).toContain('mailbox: Entwürfe.Alt\nflags: \\Flagged \\Seen');
      expect(out).toContain('mailbox: INBOX\nflags: \\Recent');
    } finally {
      master.kill();
    }
  }, 20_000);
});
