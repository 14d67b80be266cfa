import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryLogger } from '../../src/app/delivery-log.js';
import { startLmtp, type StartedLmtp } from '../../src/app/lmtp.js';
import { LmtpConnection } from '../bench/lmtp-client.js';
import { listMail, tempDir } from '../delivery/helpers.js';

let data: string;
let lmtp: StartedLmtp;
const inbox = (user: string) => listMail(join(data, 'home', user, 'Maildir'));

beforeAll(async () => {
  data = tempDir();
  writeFileSync(join(data, 'users'), ['alice', 'bob', 'carol'].map((u) => `${u}:{PLAIN}x::::::\n`).join(''));
  lmtp = await startLmtp(
    { dataDir: data, lmtp: { listen: '127.0.0.1:0' }, logFile: join(data, 'lmtp.log') },
    deliveryLogger(join(data, 'lmtp.log'), 'lmtp'),
  );
});
afterAll(() => lmtp?.close());

describe('tamis lmtp: the recipients of one transaction', () => {
  it('delivers each of them once, side by side', async () => {
    const c = await LmtpConnection.open(lmtp.port!);
    const r = await c.send({
      sender: 'x@example.net',
      recipients: ['alice@example.org', 'bob@example.org', 'carol@example.org'],
      message: Buffer.from('Subject: three\r\nMessage-ID: <three@example.net>\r\n\r\nbody\r\n'),
    });
    await c.close();
    expect(r.failures).toEqual([]);
    expect(r.delivered).toBe(3);
    for (const u of ['alice', 'bob', 'carol']) expect(inbox(u)).toHaveLength(1);
  });

  it('stores a message once for an address given twice: the second waits for the first', async () => {
    const outcomes = await lmtp.delivery.service.deliver({
      message: Buffer.from('Subject: twice\r\nMessage-ID: <twice@example.net>\r\n\r\nbody\r\n'),
      sender: 'x@example.net',
      recipients: [
        { address: 'bob@example.org' },
        { address: 'carol@example.org' },
        { address: 'bob@example.org' },
      ],
      session: 'test',
    });
    expect(outcomes.map((o) => [o.kind, o.detail])).toEqual([
      ['delivered', 'Saved'],
      ['delivered', 'Saved'],
      ['delivered', 'Saved (already delivered)'],
    ]);
    expect(inbox('bob')).toHaveLength(2);
    expect(inbox('carol')).toHaveLength(2);
  });
});
