import { mkdtempSync, readdirSync, readFileSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverToMaildir, MaildirWriteError } from '../../src/maildir/writer.js';

const dirs: string[] = [];
function tempRoot(): string {
  const d = mkdtempSync(join(tmpdir(), 'tamis-maildir-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) chmodSync(d, 0o700);
});

const MSG = Buffer.from('From: a@example.org\nSubject: hi\n\nbody ü\n');

describe('deliverToMaildir', () => {
  it('writes INBOX messages into new/ with size fields and leaves tmp/ empty', async () => {
    const root = tempRoot();
    const path = await deliverToMaildir(root, MSG);
    expect(path.startsWith(join(root, 'new'))).toBe(true);
    expect(path).toMatch(new RegExp(`,S=${MSG.length},W=${MSG.length + 4}$`));
    expect(readFileSync(path)).toEqual(MSG);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('creates folders on demand with marker and subscription, flags go to cur/', async () => {
    const root = tempRoot();
    const path = await deliverToMaildir(root, MSG, {
      folder: 'Entwürfe/Alt',
      create: true,
      flags: ['\\Seen', '\\Flagged'],
    });
    expect(path.startsWith(join(root, '.Entw&APw-rfe.Alt', 'cur'))).toBe(true);
    expect(path.endsWith(':2,FS')).toBe(true);
    expect(existsSync(join(root, '.Entw&APw-rfe.Alt', 'maildirfolder'))).toBe(true);
    expect(readFileSync(join(root, 'subscriptions'), 'utf8')).toBe('Entwürfe.Alt\n');
    await deliverToMaildir(root, MSG, { folder: 'Entwürfe/Alt', create: true });
    expect(readFileSync(join(root, 'subscriptions'), 'utf8')).toBe('Entwürfe.Alt\n');
  });

  it('refuses a missing folder when creation is not allowed (permanent)', async () => {
    const root = tempRoot();
    await expect(deliverToMaildir(root, MSG, { folder: 'Nope' })).rejects.toMatchObject({ temporary: false });
  });

  it('refuses hostile folder names before touching the disk', async () => {
    const root = tempRoot();
    await expect(deliverToMaildir(root, MSG, { folder: '../escape', create: true })).rejects.toBeInstanceOf(
      MaildirWriteError,
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('turns EACCES into a temporary failure', async () => {
    const root = tempRoot();
    await deliverToMaildir(root, MSG);
    chmodSync(root, 0o500);
    chmodSync(join(root, 'tmp'), 0o500);
    await expect(deliverToMaildir(root, MSG)).rejects.toMatchObject({ temporary: true, code: 'EACCES' });
    chmodSync(join(root, 'tmp'), 0o700);
  });
});
