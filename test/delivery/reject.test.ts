import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRejectMdn } from '../../src/delivery/execute/reject.js';
import { createOutbox } from '../../src/delivery/transport/index.js';
import { FileScriptStore } from '../../src/scripts/file-store.js';
import { listMail, tempDir } from './helpers.js';
import { lmtpSend, relayedLmtp, sleep, waitForMail } from './lmtp-client.js';
import { runDeliver } from './run-deliver.js';
import { startPeer, type Peer } from './transport/relay-peer.js';

let data: string;
let peer: Peer;
const services = relayedLmtp(
  () => data,
  () => peer,
);
const lmtp = services.start;
const maildir = (user: string) => join(data, 'home', user, 'Maildir');
let n = 0;
const mail = (subject: string) =>
  Buffer.from(
    `From: carol@example.net\r\nTo: alice@example.org\r\nSubject: ${subject}\r\n` +
      `Message-ID: <${subject}.${++n}@example.net>\r\n\r\nHello.\r\n`,
  );
const received = (count: number) => waitForMail(peer, count);

beforeAll(async () => {
  data = tempDir();
  peer = await startPeer();
  writeFileSync(join(data, 'users'), ['alice', 'bob', 'dave'].map((u) => `${u}:{PLAIN}x::::::\n`).join(''));
  const store = new FileScriptStore({ root: join(data, 'home') });
  const script = async (user: string, source: string) => {
    await store.put(user, 'main', Buffer.from(source));
    await store.setActive(user, 'main');
  };
  await script('alice', 'require "reject";\nreject text:\nNo mail, please.\nDéjà parti.\n.\n;\n');
  await script('dave', 'require "ereject";\nereject "Refused outright.";\n');
  writeFileSync(
    join(data, 'message.json'),
    JSON.stringify({ delivery: { dataDir: data, relay: peer.url, reject: 'message' } }),
  );
});
afterAll(async () => {
  await services.closeAll();
  await peer?.close();
});

describe('reject: "message"', () => {
  let port: number;
  beforeAll(async () => {
    port = (await lmtp({ reject: 'message' })).port!;
  });

  it('accepts, stores nothing, and sends the sender a rejection MDN with its three parts', async () => {
    peer.received.length = 0;
    const r = await lmtpSend(port, 'carol@example.net', ['alice@example.org'], mail('first'));
    expect(r.data).toEqual(['250 2.6.0 <alice@example.org> Rejected, the sender is told by mail']);
    expect(listMail(maildir('alice'))).toHaveLength(0);
    await received(1);
    expect(peer.received).toHaveLength(1);
    const mdn = peer.received[0]!;
    expect(mdn.from).toBe('');
    expect(mdn.to).toEqual(['carol@example.net']);
    const text = mdn.data.toString('utf8');
    expect(text).toMatch(/^Auto-Submitted: auto-replied/m);
    expect(text).toMatch(/^To: <carol@example\.net>$/m);
    expect(text).toMatch(/^Subject: Rejected: first$/m);
    const boundary = /report-type=disposition-notification; boundary="([^"]+)"/.exec(text)?.[1];
    expect(boundary).toBeDefined();
    const parts = text.split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(3);
    // The reason is UTF-8, so the human part is base64.
    expect(parts[0]).toMatch(/Content-Type: text\/plain; charset=utf-8/);
    const human = Buffer.from(parts[0]!.split('\r\n\r\n')[1]!.replace(/\s/g, ''), 'base64').toString();
    expect(human).toContain('Your message to <alice@example.org> was automatically rejected');
    expect(human).toContain('No mail, please.\r\nDéjà parti.');
    expect(parts[1]).toMatch(/^Content-Type: message\/disposition-notification\r\n/m);
    expect(parts[1]).toMatch(/^Reporting-UA: [^;]+; tamis\r$/m);
    expect(parts[1]).toMatch(/^Final-Recipient: rfc822; alice@example\.org\r$/m);
    expect(parts[1]).toMatch(/^Original-Message-ID: <first\.\d+@example\.net>\r$/m);
    expect(parts[1]).toMatch(/^Disposition: automatic-action\/MDN-sent-automatically; deleted\r$/m);
    expect(parts[2]).toMatch(/^Content-Type: text\/rfc822-headers\r\n\r\nFrom: carol@example\.net\r\n/m);
    expect(parts[2]).not.toContain('Hello.');
  });

  it('sends nothing to the null sender or MAILER-DAEMON', async () => {
    peer.received.length = 0;
    for (const from of ['', 'MAILER-DAEMON@example.net']) {
      const r = await lmtpSend(port, from, ['alice@example.org'], mail('bounce'));
      expect(r.data[0]).toMatch(/^250 /);
    }
    // A real one after them, so the outbox has had its chance to send the others.
    await lmtpSend(port, 'erin@example.net', ['alice@example.org'], mail('after'));
    await received(1);
    await sleep(300);
    expect(peer.received.map((m) => m.to)).toEqual([['erin@example.net']]);
    const log = readFileSync(join(data, 'lmtp0.log'), 'utf8');
    expect(log).toContain('no rejection sent to the null sender');
    expect(log).toContain('no rejection sent to MAILER-DAEMON');
  });

  it('stores for the other recipient of the transaction; ereject stays a 550 and sends nothing', async () => {
    peer.received.length = 0;
    const r = await lmtpSend(
      port,
      'carol@example.net',
      ['alice@example.org', 'bob@example.org', 'dave@example.org'],
      mail('three'),
    );
    expect(r.data).toEqual([
      '250 2.6.0 <alice@example.org> Rejected, the sender is told by mail',
      '250 2.6.0 <bob@example.org> Saved',
      '550 5.1.1 <dave@example.org> Refused outright.',
    ]);
    expect(listMail(maildir('bob'))).toHaveLength(1);
    expect(listMail(maildir('dave'))).toHaveLength(0);
    await received(1);
    await sleep(300);
    expect(peer.received.map((m) => m.to)).toEqual([['carol@example.net']]);
  });

  it('counts rejections under the sending limits', async () => {
    const limited = await lmtp({
      reject: 'message',
      sending: { limits: { perMinute: 1, overLimit: 'drop' } },
      storesFile: join(data, 'limited.sqlite'),
    });
    peer.received.length = 0;
    await lmtpSend(limited.port!, 'one@example.net', ['alice@example.org'], mail('limit'));
    await lmtpSend(limited.port!, 'two@example.net', ['alice@example.org'], mail('limit'));
    await received(1);
    await sleep(500);
    expect(peer.received.map((m) => m.to)).toEqual([['one@example.net']]);
  });
});

describe('reject: "protocol" (the default) and the LDA', () => {
  it('refuses in LMTP with 550 for the rejecting recipient only', async () => {
    const s = await lmtp({ storesFile: join(data, 'protocol.sqlite') });
    peer.received.length = 0;
    const r = await lmtpSend(
      s.port!,
      'carol@example.net',
      ['alice@example.org', 'bob@example.org'],
      mail('p'),
    );
    expect(r.data[0]).toMatch(/^550 5\.\d\.\d <alice@example\.org> No mail, please\.$/);
    expect(r.data[1]).toBe('250 2.6.0 <bob@example.org> Saved');
    await sleep(300);
    expect(peer.received).toHaveLength(0);
  });

  it('tamis deliver with "message": exit 0 and an MDN for reject, exit 77 and nothing sent for ereject', async () => {
    peer.received.length = 0;
    const args = ['--config', join(data, 'message.json'), '-f', 'carol@example.net'];
    const ok = await runDeliver([...args, '-a', 'alice@example.org'], mail('lda'));
    expect(ok.code, ok.stderr).toBe(0);
    const no = await runDeliver([...args, '-a', 'dave@example.org'], mail('lda'));
    expect(no.code).toBe(77);
    expect(no.stderr).toContain('tamis deliver: Refused outright.');
    // The LDA queued the rejection durably; an outbox over the same folder sends it.
    const outbox = createOutbox({ dir: join(data, 'outbox'), relay: peer.url });
    await outbox.flush();
    await outbox.close();
    await received(1);
    await sleep(300);
    expect(peer.received.map((m) => [m.from, m.to])).toEqual([['', ['carol@example.net']]]);
    expect(peer.received[0]!.data.toString()).toContain(
      'Disposition: automatic-action/MDN-sent-automatically; deleted',
    );
  }, 30_000);
});

describe('buildRejectMdn', () => {
  it('keeps hostile header values on one line and encodes non-ASCII subjects', () => {
    const mdn = buildRejectMdn({
      recipient: 'alice@example.org\r\nBcc: evil@example.com',
      to: 'carol@example.net',
      reason: 'No.',
      message: Buffer.from('Subject: x\r\n\r\nbody\r\n'),
      subject: 'Grüße\r\nBcc: evil@example.com',
      messageId: '<a@b>\r\nX-Injected: 1',
      reportingHost: 'mx.example.org',
      now: new Date(0),
    }).toString();
    expect(mdn).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(mdn).toMatch(/^Subject: Rejected: =\?UTF-8\?B\?R3LDvMOfZQ==\?= Bcc: evil@example\.com\r$/m);
    expect(mdn).toMatch(/^Content-Type: text\/plain; charset=us-ascii\r$/m);
  });
});
