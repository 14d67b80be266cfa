import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { executeActions } from '../../../src/delivery/execute/index.js';
import { createOutbox, type ManagedOutbox } from '../../../src/delivery/transport/index.js';
import { SieveEngine, parseMessage } from '../../../src/index.js';
import { countMaildir } from '../../../src/maildir/reader.js';
import { deliverToMaildir } from '../../../src/maildir/writer.js';
import { startPeer, type Peer, type Received } from './relay-peer.js';

const root = mkdtempSync(join(tmpdir(), 'tamis-redirect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const engine = new SieveEngine({ config: { maxRedirects: 15 } });

/**
 * A small mail system: users at example.net with a script each; what the relay receives for one
 * of them is delivered to them again (through their script), anything else leaves the system.
 */
class MailSystem {
  readonly outbox: ManagedOutbox;
  readonly dir = join(root, `sys${n++}`);
  readonly log: Record<string, unknown>[] = [];
  readonly results: Awaited<ReturnType<typeof executeActions>>[] = [];
  constructor(
    readonly relay: Peer,
    readonly scripts: Record<string, string>,
  ) {
    this.outbox = createOutbox({
      dir: join(this.dir, 'outbox'),
      relay: relay.url,
      log: (l) => this.log.push(l),
    });
  }

  async deliver(to: string, from: string, raw: Buffer) {
    const compiled = engine.compile(this.scripts[to]!);
    expect(compiled.errors).toEqual([]);
    const envelope = { from, to };
    const message = parseMessage(raw);
    const run = engine.run(compiled.program!, message, envelope);
    const maildir = join(this.dir, to, 'Maildir');
    const result = await executeActions(run.actions, {
      user: to,
      config: engine.config,
      envelope,
      message,
      outbox: this.outbox,
      mailboxes: {
        exists: async () => true,
        store: async (r) =>
          deliverToMaildir(maildir, r.message, { folder: r.mailbox, flags: r.flags, create: r.create }),
      },
      defaultMailbox: 'INBOX',
      autocreate: true,
      now: new Date(),
      record: { stored: [], sent: [], done: false },
      saveRecord: async () => {},
    });
    this.results.push(result);
    return result;
  }

  /** Sends what is queued, and delivers what came back for local users, until nothing moves. */
  async settle(): Promise<Received[]> {
    const seen = new Set<Received>();
    for (let round = 0; round < 10; round++) {
      await this.outbox.flush();
      const fresh = this.relay.received.filter((r) => !seen.has(r));
      if (fresh.length === 0) break;
      for (const r of fresh) {
        seen.add(r);
        for (const to of r.to) if (this.scripts[to]) await this.deliver(to, r.from, r.data);
      }
    }
    return this.relay.received;
  }

  stored(user: string) {
    return countMaildir(join(this.dir, user, 'Maildir'));
  }
}

const peers: Peer[] = [];
const systems: MailSystem[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.outbox.close();
  for (const p of peers.splice(0)) await p.close();
});
async function system(scripts: Record<string, string>) {
  const relay = await startPeer();
  peers.push(relay);
  const s = new MailSystem(relay, scripts);
  systems.push(s);
  return s;
}

const incoming = Buffer.from(
  'From: <alice@example.com>\r\nTo: <bob@example.net>\r\nSubject: hi\r\nMessage-ID: <1@a>\r\n\r\nHello\r\n',
);

describe('redirects end to end through the outbox', () => {
  it('sends a duplicated redirect once, with the original sender, marked for loop detection', async () => {
    const s = await system({
      'bob@example.net':
        'require "copy"; redirect "x@else.example"; redirect "x@else.example"; redirect :copy "y@else.example";',
    });
    await s.deliver('bob@example.net', 'alice@example.com', incoming);
    const received = await s.settle();
    expect(received.map((r) => r.to.join(',')).sort()).toEqual(['x@else.example', 'y@else.example']);
    for (const r of received) {
      expect(r.from).toBe('alice@example.com');
      expect(r.data.toString()).toMatch(/^X-Sieve-Redirected-From: <bob@example\.net>\r\n/);
    }
    // :copy keeps the local copy only when no plain redirect cancelled it: here the plain one did.
    expect(s.stored('bob@example.net')).toBe(0);
  });

  it('two users forwarding to each other: the message goes round once and is then kept', async () => {
    const s = await system({
      'bob@example.net': 'redirect "carol@example.net";',
      'carol@example.net': 'redirect "bob@example.net";',
    });
    await s.deliver('bob@example.net', 'alice@example.com', incoming);
    const received = await s.settle();
    expect(received.map((r) => r.to[0])).toEqual(['carol@example.net', 'bob@example.net']);
    // Back at bob, who already redirected it: not redirected again.
    expect(s.log.filter((l) => l.event === 'queued')).toHaveLength(2);
    const last = s.results.at(-1)!;
    expect(last.done.map((d) => d.what)).toEqual(['stored', 'redirected']);
    expect(last.done[1]!.detail).toBe('not to carol@example.net: already redirected for this user (loop)');
    // Nothing else stored it: the message is kept at bob's, not lost.
    expect(s.stored('bob@example.net')).toBe(1);
    expect(s.stored('carol@example.net')).toBe(0);
  });

  it('a loop with a stored copy stores nothing more', async () => {
    const s = await system({
      'bob@example.net': 'require "copy"; redirect :copy "carol@example.net";',
      'carol@example.net': 'redirect "bob@example.net";',
    });
    await s.deliver('bob@example.net', 'alice@example.com', incoming);
    await s.settle();
    // bob's own copy, then the one carol sent back (a new delivery at bob, which keeps a copy again).
    expect(s.stored('bob@example.net')).toBe(2);
    expect(s.stored('carol@example.net')).toBe(0);
    expect(s.results.at(-1)!.done.map((d) => d.what)).toEqual(['stored', 'redirected']);
  });

  it('up to 15 redirects are sent; a 16th makes the script fail and the message is kept instead', async () => {
    const list = (k: number) =>
      Array.from({ length: k }, (_, i) => `redirect "r${i}@else.example";`).join(' ');
    const ok = await system({ 'bob@example.net': list(15) });
    await ok.deliver('bob@example.net', 'alice@example.com', incoming);
    expect(await ok.settle()).toHaveLength(15);
    const over = await system({ 'bob@example.net': list(16) });
    await over.deliver('bob@example.net', 'alice@example.com', incoming);
    expect(await over.settle()).toHaveLength(0);
    expect(over.stored('bob@example.net')).toBe(1);
  });

  it('a vacation reply from a script arrives with the null sender, addressed to the sender', async () => {
    const s = await system({
      'bob@example.net': 'require "vacation"; vacation :days 1 :subject "Away" "I am away.";',
    });
    await s.deliver('bob@example.net', 'alice@example.com', incoming);
    const received = await s.settle();
    expect(received).toHaveLength(1);
    expect(received[0]!.from).toBe('');
    expect(received[0]!.to).toEqual(['alice@example.com']);
    const text = received[0]!.data.toString();
    expect(text).toMatch(/^Auto-Submitted: auto-replied/im);
    expect(text).toMatch(/^Subject: Away/im);
    expect(text).toMatch(/^In-Reply-To: <1@a>/im);
    expect(s.stored('bob@example.net')).toBe(1);
  });
});
