import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maildirMailboxes, MAILBOX_FULL } from '../../src/delivery/maildir-mailboxes.js';
import { QuotaExceededError, TemporaryDeliveryError } from '../../src/delivery/ports.js';
import {
  countMaildir,
  limitsLine,
  parseQuotaFile,
  parseQuotaRules,
  parseStorageSize,
  QuotaRuleError,
  readQuota,
  type QuotaLimits,
} from '../../src/maildir/quota.js';
import { deliverToMaildir } from '../../src/maildir/writer.js';
import { hasDovecot, withDoveadm } from '../support/doveadm.js';

const ROOT = join(import.meta.dirname, '../..');

function maildirIn(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tamis-quota-'));
  chmodSync(dir, 0o755);
  return join(dir, 'Maildir');
}

const msg = (size: number, tag = 'm'): Buffer => {
  const head = `Subject: ${tag}\r\n\r\n`;
  return Buffer.from(head + 'b'.repeat(size - head.length));
};

function boxes(root: string, limits: QuotaLimits, tempfail = false) {
  return maildirMailboxes(root, { limits: async () => limits, tempfail });
}

const store = (b: ReturnType<typeof boxes>, message: Buffer, mailbox = 'INBOX') =>
  b.store({ mailbox, flags: [], create: true, message });

const quotaFile = (root: string) => readFileSync(join(root, 'maildirsize'), 'latin1');

describe('quota rules and the maildirsize format', () => {
  it('reads Dovecot storage sizes and rules', () => {
    expect(parseStorageSize('100M')).toBe(100 * 1024 * 1024);
    expect(parseStorageSize('2G')).toBe(2 * 1024 ** 3);
    expect(parseStorageSize('10')).toBe(10 * 1024);
    expect(parseStorageSize('512B')).toBe(512);
    expect(() => parseStorageSize('10%')).toThrow(QuotaRuleError);
    expect(() => parseStorageSize('')).toThrow(QuotaRuleError);
    expect(() => parseStorageSize('9'.repeat(400) + 'T')).toThrow(QuotaRuleError);
    expect(parseQuotaRules(['*:storage=100M', '*:messages=1000'])).toEqual({
      bytes: 100 * 1024 * 1024,
      messages: 1000,
    });
    expect(parseQuotaRules(['*:bytes=5000'])).toEqual({ bytes: 5000 });
    expect(parseQuotaRules(['Trash:storage=+10M'])).toEqual({});
    expect(() => parseQuotaRules(['*:storage=+10M'])).toThrow(QuotaRuleError);
    expect(() => parseQuotaRules(['*:colour=red'])).toThrow(QuotaRuleError);
    expect(() => parseQuotaRules(['storage=1M'])).toThrow(QuotaRuleError);
  });

  it('writes the limits line as Dovecot does and sums complete lines', () => {
    expect(limitsLine({ bytes: 1048576, messages: 10 })).toBe('1048576S,10C');
    expect(limitsLine({ bytes: 0, messages: 10 })).toBe('10C');
    expect(limitsLine({ bytes: 5, messages: 0 })).toBe('5S');
    expect(parseQuotaFile('5S\n10 1\n20 2\n-5 -1\n')?.usage).toEqual({ bytes: 25, messages: 2 });
    // An append still being written is left out, not taken as garbage.
    expect(parseQuotaFile('5S\n10 1\n20')?.usage).toEqual({ bytes: 10, messages: 1 });
    for (const bad of ['', 'garbage\n', '5S\nfoo bar\n', '5S\n-10 -1\n', '5S\n1 2 3\n', 'S\n1 1\n'])
      expect(parseQuotaFile(bad), JSON.stringify(bad)).toBeNull();
  });
});

describe('hostile quota input', () => {
  it('never throws on any maildirsize text, and never gives a negative sum', () => {
    const line = fc.oneof(
      fc.string(),
      fc.tuple(fc.integer(), fc.integer()).map(([a, b]) => `${a} ${b}`),
      fc.constantFrom('1000S', '10C', '1000S,10C', ''),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.boolean(), (lines, end) => {
        const parsed = parseQuotaFile(lines.join('\n') + (end ? '\n' : ''));
        if (parsed) {
          expect(parsed.usage.bytes).toBeGreaterThanOrEqual(0);
          expect(parsed.usage.messages).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('reads any rule text either to limits or to a QuotaRuleError', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 4 }), (rules) => {
        try {
          const out = parseQuotaRules(rules);
          for (const v of Object.values(out)) expect(Number.isInteger(v) && v >= 0).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(QuotaRuleError);
        }
      }),
    );
  });
});

describe('quota on delivery', () => {
  it('counts every folder, appends one line per store and refuses over the size limit', async () => {
    const root = maildirIn();
    await deliverToMaildir(root, msg(100), { folder: 'Trash', create: true });
    await deliverToMaildir(root, msg(200), { folder: 'Junk', create: true });
    const b = boxes(root, { bytes: 1000, messages: 0 });
    await store(b, msg(300));
    // The file was missing: recounted (300 bytes in Trash and Junk), then the new message appended.
    expect(quotaFile(root)).toBe('1000S\n300 2\n300 1\n');
    await store(b, msg(400), 'Archive');
    // Exactly at the limit: stored.
    expect(await readQuota(root, { bytes: 1000, messages: 0 })).toEqual({ bytes: 1000, messages: 4 });
    const err = await store(b, msg(20)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect((err as QuotaExceededError).message).toBe(MAILBOX_FULL);
    expect((err as QuotaExceededError).permanent).toBe(true);
    expect(await countMaildir(root)).toEqual({ bytes: 1000, messages: 4 });
  });

  it('refuses by message count, temporarily when configured so', async () => {
    const root = maildirIn();
    const b = boxes(root, { bytes: 0, messages: 2 }, true);
    await store(b, msg(50));
    await store(b, msg(50));
    const err = await store(b, msg(50)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect((err as QuotaExceededError).permanent).toBe(false);
    expect(await countMaildir(root)).toEqual({ bytes: 100, messages: 2 });
    // Never a half-written message: nothing was left in tmp/ either.
    expect(statSync(join(root, 'tmp')).isDirectory()).toBe(true);
  });

  it('recounts a broken, negative, oversized or stale file, or one for other limits', async () => {
    const root = maildirIn();
    await deliverToMaildir(root, msg(100));
    await deliverToMaildir(root, msg(150), { folder: 'Junk', create: true });
    const limits = { bytes: 1000, messages: 0 };
    const right = { bytes: 250, messages: 2 };
    for (const text of [
      'garbage\n',
      '1000S\n-5000 -3\n',
      '1000S\n' + '1 0\n'.repeat(2000),
      '77S\n250 2\n',
      '1000S\n9999 9\n\u0000\u0001\n',
    ]) {
      writeFileSync(join(root, 'maildirsize'), text);
      expect(await readQuota(root, limits), JSON.stringify(text.slice(0, 20))).toEqual(right);
      expect(quotaFile(root)).toBe('1000S\n250 2\n');
    }
    // Over quota: a fresh file is believed, one older than 15 minutes is recounted.
    writeFileSync(join(root, 'maildirsize'), '1000S\n5000 2\n');
    expect(await readQuota(root, limits)).toEqual({ bytes: 5000, messages: 2 });
    const old = new Date(Date.now() - 16 * 60_000);
    utimesSync(join(root, 'maildirsize'), old, old);
    expect(await readQuota(root, limits)).toEqual(right);
  });

  it('turns a quota it cannot work out into a temporary failure', async () => {
    const root = maildirIn();
    const b = maildirMailboxes(root, {
      limits: () => Promise.reject(new QuotaRuleError('bad rule')),
      tempfail: false,
    });
    await expect(store(b, msg(100))).rejects.toBeInstanceOf(TemporaryDeliveryError);
  });

  it('stays consistent with two processes delivering at once', async () => {
    const root = maildirIn();
    await deliverToMaildir(root, msg(100));
    const run = () =>
      new Promise<number>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', join(ROOT, 'test/maildir/quota-child.ts'), root, '40', '500', '30000'],
          { cwd: ROOT, encoding: 'utf8' },
          (err, stdout) => (err ? reject(err) : resolve(Number(stdout.trim()))),
        ),
      );
    const refused = (await Promise.all([run(), run()])).reduce((a, b) => a + b, 0);
    const real = await countMaildir(root);
    // 100 + 80 × 500 is over 30000: some were refused, and what stayed is what the file says.
    expect(refused).toBeGreaterThan(0);
    expect(real.messages).toBe(1 + 80 - refused);
    const kept = parseQuotaFile(quotaFile(root))!.usage;
    // Both processes only append, so the sum is exact unless a recount raced an append.
    expect(Math.abs(kept.bytes - real.bytes)).toBeLessThanOrEqual(500);
    // Concurrent checks may let both in at the edge: by at most one message each.
    expect(real.bytes).toBeLessThanOrEqual(30000 + 500);
  }, 60_000);
});

describe.skipIf(!hasDovecot)('Dovecot’s quota plugin agrees', () => {
  const conf =
    'mail_plugins = quota\nplugin {\n  quota = maildir:User quota\n' +
    '  quota_rule = *:storage=1M\n  quota_rule2 = *:messages=10\n}\n';
  const limits = { bytes: 1024 * 1024, messages: 10 };

  it('reads the sum tamis keeps, and recounts it to the same file', async () => {
    const root = maildirIn();
    const b = boxes(root, limits);
    await store(b, msg(3000, 'a'));
    await store(b, msg(5000, 'b'), 'Junk');
    await store(b, msg(7000, 'c'), 'Trash');
    await store(b, Buffer.from('Subject: é\n\nbare LF\n'), 'Entwürfe');
    const ours = await readQuota(root, limits);
    expect(ours.messages).toBe(4);
    const mine = quotaFile(root);
    await withDoveadm(
      root,
      (_fetch, doveadm) => {
        const get = doveadm(['quota', 'get', '-u', 'testu']);
        expect(get).toMatch(new RegExp(`STORAGE\\s+${Math.ceil(ours.bytes / 1024)}\\s+1024\\b`));
        expect(get).toMatch(/MESSAGE\s+4\s+10\b/);
        // Dovecot read the file as it was: it did not need to recount it.
        expect(quotaFile(root)).toBe(mine);
        doveadm(['quota', 'recalc', '-u', 'testu']);
        expect(quotaFile(root)).toBe(`1048576S,10C\n${ours.bytes} 4\n`);
      },
      { conf },
    );
  }, 30_000);

  it('and tamis reads the file Dovecot writes', async () => {
    const root = maildirIn();
    await deliverToMaildir(root, msg(1234));
    await deliverToMaildir(root, msg(766), { folder: 'Sent', create: true });
    await withDoveadm(root, (_fetch, doveadm) => doveadm(['quota', 'recalc', '-u', 'testu']), { conf });
    expect(quotaFile(root)).toBe('1048576S,10C\n2000 2\n');
    writeFileSync(join(root, 'maildirsize'), '1048576S,10C\n2000 2\n1000000 1\n');
    // Dovecot's file is believed as it stands: one more message of 46577 bytes would go over.
    const b = boxes(root, limits);
    await expect(store(b, msg(46577))).rejects.toBeInstanceOf(QuotaExceededError);
    await store(b, msg(46576));
  }, 30_000);
});
