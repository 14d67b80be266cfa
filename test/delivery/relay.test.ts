import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { deliveryLogger } from '../../src/app/delivery-log.js';
import { startLmtp } from '../../src/app/lmtp.js';
import { FileScriptStore } from '../../src/scripts/file-store.js';
import { startPeer } from './transport/relay-peer.js';
import { listMail, tempDir } from './helpers.js';

async function setup(relay: string) {
  const data = tempDir();
  writeFileSync(join(data, 'users'), 'alice:{PLAIN}x::::::\n');
  const store = new FileScriptStore({ root: join(data, 'home') });
  await store.put(
    'alice',
    'main',
    Buffer.from(
      'require ["vacation", "copy"];\nredirect :copy "dave@example.com";\n' +
        'vacation :from "alice@example.org" "I am away.";\n',
    ),
  );
  await store.setActive('alice', 'main');
  const lmtp = await startLmtp(
    { dataDir: data, relay, lmtp: { listen: '127.0.0.1:0' } },
    deliveryLogger(join(data, 'lmtp.log'), 'lmtp'),
  );
  const send = (subject: string) =>
    nodemailer.createTransport({ lmtp: true, host: '127.0.0.1', port: lmtp.port, ignoreTLS: true }).sendMail({
      envelope: { from: 'carol@example.net', to: ['alice@example.org'] },
      raw: `From: carol@example.net\r\nTo: alice@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.net>\r\n\r\nhi\r\n`,
    });
  return { data, lmtp, send };
}

describe('outgoing mail of deliveries', () => {
  it('sends the forward and one vacation reply through a real SMTP relay', { timeout: 30_000 }, async () => {
    const peer = await startPeer();
    const { data, lmtp, send } = await setup(peer.url);
    try {
      expect((await send('one')).accepted).toEqual(['alice@example.org']);
      expect((await send('two')).accepted).toEqual(['alice@example.org']);
      for (let i = 0; i < 100 && peer.received.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
      const got = peer.received.map((m) => ({
        from: m.from,
        to: m.to,
        auto: m.data.includes('Auto-Submitted'),
      }));
      // Two forwards with the original sender, one reply (the second message is within the period).
      expect(got.filter((m) => !m.auto)).toEqual([
        { from: 'carol@example.net', to: ['dave@example.com'], auto: false },
        { from: 'carol@example.net', to: ['dave@example.com'], auto: false },
      ]);
      expect(got.filter((m) => m.auto)).toEqual([{ from: '', to: ['carol@example.net'], auto: true }]);
      expect(listMail(join(data, 'home', 'alice', 'Maildir'))).toHaveLength(2);
    } finally {
      await lmtp.close();
      await peer.close();
    }
  });

  it(
    'still delivers while the relay is down, keeping what is to be sent queued on disk',
    { timeout: 30_000 },
    async () => {
      const peer = await startPeer();
      const url = peer.url;
      await peer.close();
      const { data, lmtp, send } = await setup(url);
      try {
        expect((await send('down')).accepted).toEqual(['alice@example.org']);
        expect(listMail(join(data, 'home', 'alice', 'Maildir'))).toHaveLength(1);
      } finally {
        await lmtp.close();
      }
      const queued = readdirSync(join(data, 'outbox'), { recursive: true }).filter((n) =>
        String(n).includes('queue/'),
      );
      expect(queued.length).toBe(2);
    },
  );
});
