import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileScriptStore } from '../../src/scripts/file-store.js';
import { listMail, readMail, tempDir } from './helpers.js';
import { runDeliver } from './run-deliver.js';

let data: string;
let inbox: string;
const args = (...more: string[]) => ['--data', data, '-f', 'carol@example.net', ...more];

beforeAll(() => {
  data = tempDir();
  writeFileSync(join(data, 'users'), 'alice:{PLAIN}secret::::::\nbob:{PLAIN}secret::::::\n');
  inbox = join(data, 'home', 'alice', 'Maildir');
});

/** Delivers to a fresh user folder and returns what was stored, byte for byte. */
async function roundTrip(raw: Buffer): Promise<{ code: number | null; stored: string[] }> {
  const before = new Set(listMail(inbox));
  const r = await runDeliver(args('-a', 'alice@example.org'), raw);
  const stored = listMail(inbox).filter((n) => !before.has(n));
  return { code: r.code, stored: stored.map((n) => readFileSync(join(inbox, n), 'latin1')) };
}

describe('tamis deliver', () => {
  it('delivers and logs one JSON line on stderr', async () => {
    const raw = Buffer.from(
      'From: carol@example.net\r\nSubject: hi\r\nMessage-ID: <a1@example.net>\r\n\r\nHello\r\n',
    );
    const r = await runDeliver(args('-a', 'alice@example.org'), raw);
    expect(r.code).toBe(0);
    expect(await readMail(inbox)).toContain(raw.toString('latin1'));
    const line = JSON.parse(r.stderr.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({
      service: 'lda',
      user: 'alice',
      msgid: '<a1@example.net>',
      size: raw.length,
      outcome: 'delivered',
      actions: ["stored mail into mailbox 'INBOX'"],
      msg: "lda(alice): msgid=<a1@example.net>: stored mail into mailbox 'INBOX'",
    });
  });

  it('exits 67 for an unknown user, 64 for bad usage, 75 without a users file', async () => {
    const raw = Buffer.from('Subject: x\r\n\r\nx\r\n');
    expect((await runDeliver(args('-a', 'nobody@example.org'), raw)).code).toBe(67);
    expect((await runDeliver(args(), raw)).code).toBe(64);
    expect((await runDeliver(args('-a', 'alice', '--bogus'), raw)).code).toBe(64);
    expect((await runDeliver(args('-a', 'a b@x'), raw)).code).toBe(64);
    const r = await runDeliver(['--data', join(data, 'missing'), '-a', 'alice'], raw);
    expect(r.code).toBe(75);
    expect(r.stderr).toContain('users file');
  });

  it('runs the script ManageSieve stored, and exits 77 with the reason on reject', async () => {
    const store = new FileScriptStore({ root: join(data, 'home') });
    await store.put(
      'bob',
      'main',
      Buffer.from(
        'require ["fileinto", "reject"];\nif header :is "subject" "no" { reject "Go away."; stop; }\nfileinto "INBOX";\n',
      ),
    );
    await store.setActive('bob', 'main');
    const ok = await runDeliver(args('-a', 'bob'), Buffer.from('Subject: yes\r\n\r\nx\r\n'));
    expect(ok.code).toBe(0);
    const no = await runDeliver(args('-a', 'bob'), Buffer.from('Subject: no\r\n\r\nx\r\n'));
    expect(no.code).toBe(77);
    expect(no.stderr).toContain('tamis deliver: Go away.');
    expect(listMail(join(data, 'home', 'bob', 'Maildir'))).toHaveLength(1);
  });

  it('refuses a message over the size limit with 77, storing nothing', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024 + 1, 'a');
    big.write('Subject: big\r\n\r\n');
    const before = listMail(inbox).length;
    const r = await runDeliver(args('-a', 'alice'), big);
    expect(r.code).toBe(77);
    expect(r.stderr).toContain('5.3.4 Message too big');
    expect(listMail(inbox)).toHaveLength(before);
  });

  // Malformed input is stored exactly as received: an LDA is no place to repair or drop mail.
  it.each([
    ['no header at all', Buffer.from('just a body line\r\nand another\r\n')],
    ['NUL bytes', Buffer.from('Subject: nul\r\n\r\na\x00b\x00\r\n', 'latin1')],
    ['bare LF line ends', Buffer.from('Subject: lf\nFrom: a@b\n\nbody\nmore\n')],
    ['8-bit header', Buffer.from('Subject: Grüße aus Köln\r\nFrom: "Jörg" <j@x>\r\n\r\nx\r\n', 'latin1')],
    ['1 MB header field', Buffer.from(`Subject: x\r\nX-Long: ${'y'.repeat(1024 * 1024)}\r\n\r\nx\r\n`)],
    ['no body separator', Buffer.from('Subject: only headers\r\nFrom: a@b')],
    ['empty message', Buffer.alloc(0)],
  ])('stores a message with %s unchanged', async (_what, raw) => {
    const { code, stored } = await roundTrip(raw);
    expect(code).toBe(0);
    expect(stored).toEqual([raw.toString('latin1')]);
  });

  it('drops the mbox From_ line an MTA may put in front', async () => {
    const { code, stored } = await roundTrip(
      Buffer.from('From carol@example.net Wed Dec  2 10:00:00 2026\nSubject: mbox\n\nx\n'),
    );
    expect(code).toBe(0);
    expect(stored).toEqual(['Subject: mbox\n\nx\n']);
  });

  it('keeps mail when the home cannot be written: 75, nothing half-written', async () => {
    const home = join(data, 'home', 'ro');
    mkdirSync(join(home, 'Maildir', 'new'), { recursive: true });
    writeFileSync(join(data, 'users2'), `ro:{PLAIN}x:::::${home}:\n`.replace(':::::', '::::'));
    // A regular file where tmp/ should be: every write fails as on a broken disk, even as root.
    writeFileSync(join(home, 'Maildir', 'tmp'), '');
    mkdirSync(join(home, 'Maildir', 'cur'), { recursive: true });
    const r = await runDeliver(
      ['--data', data, '--users', join(data, 'users2'), '-a', 'ro'],
      Buffer.from('Subject: x\r\n\r\nx\r\n'),
    );
    expect(r.code).toBe(75);
    expect(listMail(join(home, 'Maildir'))).toEqual([]);
  });
});
