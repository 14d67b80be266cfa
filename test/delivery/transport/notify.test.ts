import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver } from '../../../src/delivery/deliver.js';
import { createOutbox, type ManagedOutbox } from '../../../src/delivery/transport/index.js';
import { listMail, message, tempDir, testDeps } from '../helpers.js';
import { startPeer, type Peer } from './relay-peer.js';

const open: Array<ManagedOutbox | Peer> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

const NOTIFY = 'require "enotify"; notify :message "x" "mailto:someone@example.org";';
const mail = (id: string) =>
  message([
    'From: carol@example.net',
    'To: alice@example.org',
    'Subject: hello',
    `Message-ID: <${id}@example.net>`,
  ]);

async function setup(limits: Record<string, unknown> = {}) {
  const root = tempDir();
  const relay = await startPeer();
  const events: Record<string, unknown>[] = [];
  const outbox = createOutbox({
    dir: join(root, 'outbox'),
    relay: relay.url,
    limits,
    log: (l) => events.push(l),
  });
  open.push(outbox, relay);
  const { deps, scripts } = testDeps(root, { outbox });
  const lines: Array<{ done: string[]; errors: string[] }> = [];
  deps.log = (l) => lines.push({ done: l.done.map((d) => `${d.what}: ${d.detail}`), errors: l.errors });
  scripts.set('alice', NOTIFY);
  return { root, relay, outbox, deps, events, lines };
}

describe('notify in delivery', () => {
  it('sends a mailto notification through the outbox and keeps the message', async () => {
    const s = await setup();
    const out = await deliver(s.deps, {
      message: mail('n1'),
      sender: 'carol@example.net',
      recipient: 'alice',
    });
    expect(out.kind).toBe('delivered');
    await s.outbox.flush();
    expect(s.relay.received).toHaveLength(1);
    const sent = s.relay.received[0]!;
    expect(sent.to).toEqual(['someone@example.org']);
    // RFC 5436 §2.7: marked automatic, so that no one answers it automatically.
    expect(sent.data.toString()).toMatch(/^Auto-Submitted: auto-notified/im);
    expect(sent.data.toString()).toContain('x');
    expect(s.events.find((e) => e.event === 'queued')).toMatchObject({ kind: 'notify' });
    expect(listMail(join(s.root, 'alice', 'Maildir'))).toHaveLength(1);
    expect(s.lines[0]!.done).toContain('notified: mailto notification to someone@example.org');
  });

  it('is held to the sending limits: over them the notification is dropped and logged, the mail kept', async () => {
    const s = await setup({ perMinute: 1, overLimit: 'drop' });
    for (const id of ['n2', 'n3'])
      expect(
        (await deliver(s.deps, { message: mail(id), sender: 'carol@example.net', recipient: 'alice' })).kind,
      ).toBe('delivered');
    await s.outbox.flush();
    expect(s.relay.received).toHaveLength(1);
    expect(s.events.filter((e) => e.event === 'dropped')).toEqual([
      expect.objectContaining({ kind: 'notify', reason: expect.stringContaining('limit') }),
    ]);
    expect(listMail(join(s.root, 'alice', 'Maildir'))).toHaveLength(2);
  });

  it('logs a notification it does not send', async () => {
    const s = await setup();
    // A notification about an automatic message is not sent (RFC 5436 §2.7 on loops).
    const auto = message([
      'From: carol@example.net',
      'Auto-Submitted: auto-replied',
      'Subject: away',
      'Message-ID: <n4@example.net>',
    ]);
    expect(
      (await deliver(s.deps, { message: auto, sender: 'carol@example.net', recipient: 'alice' })).kind,
    ).toBe('delivered');
    await s.outbox.flush();
    expect(s.relay.received).toHaveLength(0);
    expect(s.lines[0]!.done.some((d) => d.startsWith('notified: not sent'))).toBe(true);
  });
});
