import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox, Srs } from '../../src/delivery/transport/index.js';
import { FileScriptStore } from '../../src/scripts/file-store.js';
import { tempDir } from './helpers.js';
import { lmtpSend, relayedLmtp, sleep, waitForMail } from './lmtp-client.js';
import { runDeliver } from './run-deliver.js';
import { startPeer, type Peer } from './transport/relay-peer.js';

const srsConfig = { secret: 'a long secret', domain: 'fwd.example.net' };
const srs = new Srs(srsConfig);
const DAY = 86_400_000;
let data: string;
let peer: Peer;
const services = relayedLmtp(
  () => data,
  () => peer,
  { sending: { srs: srsConfig } },
);
const lmtp = services.start;
const received = (count: number) => waitForMail(peer, count);
let n = 0;
const bounce = () =>
  Buffer.from(
    `From: MAILER-DAEMON@mx.elsewhere.example\r\nSubject: Undelivered Mail Returned to Sender\r\n` +
      `Message-ID: <b${++n}@mx.elsewhere.example>\r\n\r\nThe mail to dave could not be delivered.\r\n`,
  );

beforeAll(async () => {
  data = tempDir();
  peer = await startPeer();
  writeFileSync(join(data, 'users'), 'alice:{PLAIN}x::::::\n');
  const store = new FileScriptStore({ root: join(data, 'home') });
  await store.put('alice', 'main', Buffer.from('redirect "dave@elsewhere.example";\n'));
  await store.setActive('alice', 'main');
  writeFileSync(
    join(data, 'config.json'),
    JSON.stringify({ delivery: { dataDir: data, relay: peer.url, sending: { srs: srsConfig } } }),
  );
});
afterAll(async () => {
  await services.closeAll();
  await peer?.close();
});

describe('bounces to SRS addresses', () => {
  let port: number;
  beforeAll(async () => {
    port = (await lmtp()).port!;
  });

  it('returns the bounce of a forward to the original sender, unchanged under a trace field', async () => {
    peer.received.length = 0;
    // alice forwards carol's mail; the forward goes out with an SRS sender.
    const fwd = await lmtpSend(
      port,
      'carol@example.com',
      ['alice@example.org'],
      Buffer.from('Subject: hi\r\n\r\nhi\r\n'),
    );
    expect(fwd.data[0]).toMatch(/^250 /);
    await received(1);
    const rewritten = peer.received[0]!.from;
    expect(rewritten).toMatch(/^SRS0=[^=]{4}=[A-Z2-7]{2}=example\.com=carol@fwd\.example\.net$/);
    // The far side bounces it to that address.
    peer.received.length = 0;
    const message = bounce();
    const r = await lmtpSend(port, '', [rewritten], message);
    expect(r.rcpt[0]).toMatch(/^250 /);
    expect(r.data).toEqual([`250 2.6.0 <${rewritten}> Returned to the original sender`]);
    await received(1);
    const back = peer.received[0]!;
    expect(back.from).toBe('');
    expect(back.to).toEqual(['carol@example.com']);
    const text = back.data.toString('latin1');
    expect(text).toMatch(
      /^Received: by \S+ \(tamis, SRS return of <SRS0=[^>]+>\)\r\n\tfor <carol@example\.com>; /,
    );
    expect(text.endsWith(message.toString('latin1'))).toBe(true);
  });

  it('refuses forged and expired addresses at RCPT with 550 5.1.1, relaying nothing', async () => {
    peer.received.length = 0;
    const good = srs.forward('carol@example.com', new Date());
    const forged = good.replace(
      /^SRS0=([^=]{4})/,
      (_m, h: string) => `SRS0=${h === 'AAAA' ? 'BBBB' : 'AAAA'}`,
    );
    const expired = srs.forward('carol@example.com', new Date(Date.now() - 30 * DAY));
    const garbage = 'SRS0=oops@fwd.example.net';
    const r = await lmtpSend(port, '', [forged, expired, garbage], bounce());
    expect(r.rcpt).toEqual([
      `550 5.1.1 <${forged}> invalid SRS address`,
      `550 5.1.1 <${expired}> invalid SRS address`,
      `550 5.1.1 <${garbage}> invalid SRS address`,
    ]);
    await sleep(500);
    expect(peer.received).toHaveLength(0);
  });

  it('returns an SRS1 bounce to the first forwarder', async () => {
    peer.received.length = 0;
    const srs1 = srs.forward('SRS0=HHHH=TT=example.com=carol@first.example', new Date());
    const r = await lmtpSend(port, '', [srs1], bounce());
    expect(r.data[0]).toMatch(/^250 /);
    await received(1);
    expect(peer.received[0]!.to).toEqual(['SRS0=HHHH=TT=example.com=carol@first.example']);
  });

  it('counts returned bounces under the sending limits', async () => {
    const limited = await lmtp({
      storesFile: join(data, 'limited.sqlite'),
      sending: { srs: srsConfig, limits: { perMinute: 1, overLimit: 'drop' } },
    });
    peer.received.length = 0;
    for (const who of ['one@example.com', 'two@example.com']) {
      const r = await lmtpSend(limited.port!, '', [srs.forward(who, new Date())], bounce());
      expect(r.data[0]).toMatch(/^250 /);
    }
    await received(1);
    await sleep(500);
    expect(peer.received.map((m) => m.to)).toEqual([['one@example.com']]);
  });

  it('tamis deliver -a: exit 0 and queued for a valid address, 67 for a forged one', async () => {
    peer.received.length = 0;
    const args = ['--config', join(data, 'config.json'), '-f', ''];
    const good = srs.forward('erin@example.com', new Date());
    expect((await runDeliver([...args, '-a', good], bounce())).code).toBe(0);
    const forged = await runDeliver([...args, '-a', good.replace(/=erin@/, '=mallory@')], bounce());
    expect(forged.code).toBe(67);
    expect(forged.stderr).toContain('tamis deliver: invalid SRS address');
    const outbox = createOutbox({ dir: join(data, 'outbox'), relay: peer.url });
    await outbox.flush();
    await outbox.close();
    await received(1);
    await sleep(300);
    expect(peer.received.map((m) => [m.from, m.to])).toEqual([['', ['erin@example.com']]]);
  }, 30_000);
});
