import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryLogger } from '../../src/app/delivery-log.js';
import { startLmtp, type StartedLmtp } from '../../src/app/lmtp.js';
import { listMail, tempDir } from './helpers.js';
import { lmtpSend } from './lmtp-client.js';
import { runDeliver } from './run-deliver.js';

let data: string;
const maildir = (user: string) => join(data, 'home', user, 'Maildir');
let sent = 0;
// Each message differs: the same bytes to the same recipient count as one delivery.
const big = (n: number) => Buffer.from(`Subject: big ${++sent}\r\n\r\n${'x'.repeat(n)}\r\n`);

beforeAll(() => {
  data = tempDir();
  writeFileSync(
    join(data, 'users'),
    [
      'alice:{PLAIN}x::::::userdb_quota_rule=*:storage=2k',
      'bob:{PLAIN}x::::::userdb_quota_rule=*:storage=1M userdb_quota_rule2=*:messages=1',
      'carol:{PLAIN}x::::::',
      'dave:{PLAIN}x::::::userdb_quota_rule=*:storage=0',
      'erin:{PLAIN}x::::::userdb_quota_rule=*:storage=lots',
    ].join('\n') + '\n',
  );
  writeFileSync(join(data, 'default.json'), JSON.stringify({ delivery: { dataDir: data, quota: '3k' } }));
  writeFileSync(
    join(data, 'tempfail.json'),
    JSON.stringify({ delivery: { dataDir: data, quota: '3k', quotaFullTempfail: true } }),
  );
});

describe('tamis deliver and the mailbox quota', () => {
  it('bounces over the users-file limit (77), or defers with quotaFullTempfail (75)', async () => {
    const cfg = (name: string) => ['--config', join(data, name), '-f', 'x@example.net'];
    expect((await runDeliver([...cfg('default.json'), '-a', 'alice'], big(1500))).code).toBe(0);
    const full = await runDeliver([...cfg('default.json'), '-a', 'alice'], big(1000));
    expect(full.code).toBe(77);
    expect(full.stderr).toContain('tamis deliver: Mailbox is full');
    const later = await runDeliver([...cfg('tempfail.json'), '-a', 'alice'], big(1000));
    expect(later.code).toBe(75);
    expect(listMail(maildir('alice'))).toHaveLength(1);
    // By message count.
    expect((await runDeliver([...cfg('default.json'), '-a', 'bob'], big(10))).code).toBe(0);
    expect((await runDeliver([...cfg('default.json'), '-a', 'bob'], big(10))).code).toBe(77);
    // `storage=0` in the users file: no limit, whatever the default.
    expect((await runDeliver([...cfg('default.json'), '-a', 'dave'], big(5000))).code).toBe(0);
    // A rule that cannot be read: deferred, never bounced or stored past it.
    const bad = await runDeliver([...cfg('default.json'), '-a', 'erin'], big(10));
    expect(bad.code).toBe(75);
    expect(listMail(maildir('erin'))).toHaveLength(0);
  }, 60_000);
});

describe('tamis lmtp and the mailbox quota', () => {
  let lmtp: StartedLmtp;
  beforeAll(async () => {
    mkdirSync(join(data, 'lmtp'), { recursive: true });
    lmtp = await startLmtp(
      { dataDir: data, quota: '3k', lmtp: { listen: '127.0.0.1:0' }, logFile: join(data, 'lmtp.log') },
      deliveryLogger(join(data, 'lmtp.log'), 'lmtp'),
    );
  });
  afterAll(() => lmtp?.close());

  it('answers 552 5.2.2 for the full mailbox and stores for the others', async () => {
    // carol has the 3k default: 2500 bytes fit, the next 1000 do not.
    const first = await lmtpSend(lmtp.port!, 'x@example.net', ['carol@example.org'], big(2500));
    expect(first.data).toEqual(['250 2.6.0 <carol@example.org> Saved']);
    const r = await lmtpSend(
      lmtp.port!,
      'x@example.net',
      ['carol@example.org', 'dave@example.org'],
      big(1000),
    );
    expect(r.rcpt.every((l) => l.startsWith('250'))).toBe(true);
    expect(r.data).toEqual([
      '552 5.2.2 <carol@example.org> Mailbox is full',
      '250 2.6.0 <dave@example.org> Saved',
    ]);
    expect(listMail(maildir('carol'))).toHaveLength(1);
  });
});
