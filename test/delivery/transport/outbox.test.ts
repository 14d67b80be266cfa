import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createOutbox,
  type ManagedOutbox,
  type OutboxOptions,
} from '../../../src/delivery/transport/index.js';
import { Srs } from '../../../src/delivery/policy/srs.js';
import { memoryStores } from '../../../src/stores/memory.js';
import { startPeer, type Peer } from './relay-peer.js';

const root = mkdtempSync(join(tmpdir(), 'tamis-outbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `o${n++}`);

const open: ManagedOutbox[] = [];
const peers: Peer[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  for (const p of peers.splice(0)) await p.close();
});

function outbox(options: Partial<OutboxOptions> & { log?: OutboxOptions['log'] } = {}) {
  const lines: Record<string, unknown>[] = [];
  const o = createOutbox({
    dir: freshDir(),
    retry: { first: 0.05, max: 0.2 },
    log: (l) => lines.push(l),
    ...options,
  });
  open.push(o);
  return { o, lines };
}

async function peer(port = 0): Promise<Peer> {
  const p = await startPeer(port);
  peers.push(p);
  return p;
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const msg = (subject: string) =>
  Buffer.from(
    `From: <alice@example.com>\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@test>\r\n\r\nHello.\r\n.dot line\r\n`,
  );

describe('outbox through a real SMTP relay', () => {
  it('sends a vacation reply with the null sender and a redirect with its sender, byte for byte', async () => {
    const relay = await peer();
    const { o, lines } = outbox({ relay: relay.url });
    await o.enqueue('bob', { kind: 'vacation', from: '', to: ['alice@example.com'], message: msg('away') });
    await o.enqueue('bob', {
      kind: 'redirect',
      from: 'alice@example.com',
      to: ['bob@else.example'],
      message: msg('fwd'),
    });
    await o.flush();
    await until(() => relay.received.length === 2);
    const byTo = Object.fromEntries(relay.received.map((r) => [r.to.join(','), r]));
    expect(byTo['alice@example.com']!.from).toBe('');
    expect(byTo['alice@example.com']!.data.equals(msg('away'))).toBe(true);
    expect(byTo['bob@else.example']!.from).toBe('alice@example.com');
    expect(byTo['bob@else.example']!.data.equals(msg('fwd'))).toBe(true);
    expect(lines.filter((l) => l.event === 'sent')).toHaveLength(2);
    expect(readdirSync(join((o as unknown as { options: OutboxOptions }).options.dir, 'queue'))).toEqual([]);
  });

  it('with no relay, writes what would be sent into sent/ with its envelope', async () => {
    const dir = freshDir();
    const { o } = outbox({ dir });
    await o.enqueue('bob', {
      kind: 'redirect',
      from: 'alice@example.com',
      to: ['x@y.example', 'z@y.example'],
      message: msg('s'),
    });
    await o.flush();
    const files = readdirSync(join(dir, 'sent'));
    expect(files).toHaveLength(1);
    const text = readFileSync(join(dir, 'sent', files[0]!), 'latin1');
    expect(text).toBe(
      `X-Envelope-From: <alice@example.com>\r\nX-Envelope-To: <x@y.example>, <z@y.example>\r\n${msg('s').toString('latin1')}`,
    );
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);
  });

  it('keeps mail while the relay is down and sends it once when it comes up', async () => {
    const port = await freePort();
    const { o, lines } = outbox({ relay: `smtp://127.0.0.1:${port}` });
    await o.enqueue('bob', {
      kind: 'redirect',
      from: 'a@example.com',
      to: ['r@else.example'],
      message: msg('down'),
    });
    await o.flush();
    expect(lines.some((l) => l.event === 'deferred')).toBe(true);
    const relay = await peer(port);
    await until(() => relay.received.length === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(relay.received).toHaveLength(1);
    expect(relay.received[0]!.data.equals(msg('down'))).toBe(true);
  });

  it('retries after 451 and sends once on 250', async () => {
    const relay = await peer();
    let refusals = 0;
    relay.data = () => (refusals++ < 2 ? { code: 451, message: '4.3.0 try again later' } : null);
    const { o, lines } = outbox({ relay: relay.url });
    await o.enqueue('bob', { kind: 'vacation', from: '', to: ['alice@example.com'], message: msg('retry') });
    await until(() => relay.received.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(relay.received).toHaveLength(1);
    const deferred = lines.filter((l) => l.event === 'deferred');
    expect(deferred.map((l) => l.attempts)).toEqual([1, 2]);
    expect(String((deferred[0]!.reasons as string[])[0])).toMatch(/451/);
  });

  it('sends to each recipient once: accepted ones are not retried, 4xx ones are, 5xx ones bounce to the sender', async () => {
    const relay = await peer();
    let later = 0;
    relay.rcpt = (to) =>
      to === 'later@else.example' && later++ === 0
        ? { code: 450, message: '4.2.0 mailbox busy' }
        : to === 'nobody@else.example'
          ? { code: 550, message: '5.1.1 no such user' }
          : null;
    const { o, lines } = outbox({ relay: relay.url, hostname: 'mx.test' });
    const to = ['ok@else.example', 'later@else.example', 'nobody@else.example'];
    await o.enqueue('bob', { kind: 'redirect', from: 'alice@example.com', to, message: msg('split') });
    await until(() => relay.received.length === 3);
    await new Promise((r) => setTimeout(r, 300));
    const rcpts = relay.received.map((r) => r.to.join(','));
    expect(rcpts.filter((r) => r.includes('ok@else.example'))).toEqual(['ok@else.example']);
    expect(rcpts).toContain('later@else.example');
    const dsn = relay.received.find((r) => r.to[0] === 'alice@example.com')!;
    expect(dsn.from).toBe('');
    const text = dsn.data.toString('latin1');
    expect(text).toMatch(/multipart\/report; report-type=delivery-status/);
    expect(text).toContain('Final-Recipient: rfc822; nobody@else.example');
    expect(text).toContain('Status: 5.1.1');
    expect(text).toContain('Subject: split');
    expect(text).not.toContain('ok@else.example');
    expect(lines.find((l) => l.event === 'bounced')!.to).toEqual(['nobody@else.example']);
  });

  it('a vacation reply refused for good is logged and never bounced', async () => {
    const relay = await peer();
    relay.data = () => ({ code: 554, message: '5.7.1 rejected' });
    const { o, lines } = outbox({ relay: relay.url });
    await o.enqueue('bob', { kind: 'vacation', from: '', to: ['alice@example.com'], message: msg('v') });
    await o.flush();
    await o.flush();
    const bounced = lines.find((l) => l.event === 'bounced')!;
    expect(bounced.report).toBeNull();
    expect(String((bounced.reasons as string[])[0])).toMatch(/554/);
    expect(lines.filter((l) => l.event === 'queued')).toHaveLength(1);
    expect(relay.received).toHaveLength(0);
  });

  it('gives up after the configured time and reports it to the original sender', async () => {
    const relay = await peer();
    relay.data = (m) => (m.from === '' ? null : { code: 421, message: '4.4.5 busy' });
    const { o, lines } = outbox({ relay: relay.url, retry: { first: 0.05, max: 0.1, giveUpAfter: 0.5 } });
    await o.enqueue('bob', {
      kind: 'redirect',
      from: 'alice@example.com',
      to: ['r@else.example'],
      message: msg('old'),
    });
    await until(() => relay.received.length === 1);
    const text = relay.received[0]!.data.toString('latin1');
    expect(relay.received[0]!.to).toEqual(['alice@example.com']);
    expect(text).toContain('Status: 5.4.7');
    expect(text).toMatch(/Diagnostic-Code: smtp; gave up: 421/);
    expect(lines.filter((l) => l.event === 'deferred').length).toBeGreaterThan(1);
  });

  it('splits more than 25 recipients into envelopes of at most 25', async () => {
    const relay = await peer();
    const { o } = outbox({ relay: relay.url });
    const to = Array.from({ length: 60 }, (_, i) => `r${i}@else.example`);
    await o.enqueue('bob', { kind: 'redirect', from: 'a@example.com', to, message: msg('many') });
    await o.flush();
    await until(() => relay.received.length === 3);
    expect(relay.received.map((r) => r.to.length).sort()).toEqual([10, 25, 25]);
    expect(new Set(relay.received.flatMap((r) => r.to)).size).toBe(60);
  });

  it('refuses addresses that could inject SMTP commands, and logs them', async () => {
    const relay = await peer();
    const { o, lines } = outbox({ relay: relay.url });
    await o.enqueue('bob', {
      kind: 'redirect',
      from: 'a@example.com',
      to: ['x@else.example>\r\nRCPT TO:<evil@else.example', 'ok@else.example'],
      message: msg('inj'),
    });
    await o.flush();
    await until(() => relay.received.length === 1);
    expect(relay.received[0]!.to).toEqual(['ok@else.example']);
    expect(lines.find((l) => l.event === 'dropped')!.reason).toBe('invalid address');
  });

  it('moves a damaged queue file aside instead of sending or deleting it', async () => {
    const dir = freshDir();
    const { o, lines } = outbox({ dir });
    await o.flush();
    writeFileSync(join(dir, 'queue', '0-bad.msg'), 'garbage\nmore');
    await o.flush();
    expect(readFileSync(join(dir, 'broken', '0-bad'), 'utf8')).toBe('garbage\nmore');
    expect(lines.find((l) => l.event === 'broken')).toBeDefined();
  });
});

describe('sending limits', () => {
  it('holds sends over the per-minute limit and releases them once the window moved on', async () => {
    const relay = await peer();
    let clock = Date.UTC(2026, 0, 1);
    const { o, lines } = outbox({ relay: relay.url, limits: { perMinute: 3 }, clock: () => clock });
    for (let i = 0; i < 5; i++) {
      await o.enqueue('bob', {
        kind: 'vacation',
        from: '',
        to: [`s${i}@example.com`],
        message: msg(`h${i}`),
      });
    }
    await o.flush();
    await until(() => relay.received.length === 3);
    expect(lines.filter((l) => l.event === 'held')).toHaveLength(2);
    await o.flush();
    expect(relay.received).toHaveLength(3);
    clock += 61_000;
    await o.flush();
    await until(() => relay.received.length === 5);
    expect(lines.filter((l) => l.event === 'released')).toHaveLength(2);
  });

  it('drops sends over a plan cap when configured to, counting recipients, per user', async () => {
    const relay = await peer();
    const stores = memoryStores();
    const { o, lines } = outbox({
      relay: relay.url,
      stores,
      limits: { overLimit: 'drop' },
      limitsFor: (user) => (user === 'small' ? { perHour: 50 } : undefined),
    });
    const to = Array.from({ length: 20 }, (_, i) => `r${i}@else.example`);
    for (let i = 0; i < 3; i++)
      await o.enqueue('small', { kind: 'redirect', from: 'a@example.com', to, message: msg(`p${i}`) });
    await o.enqueue('other', { kind: 'redirect', from: 'a@example.com', to, message: msg('o') });
    await o.flush();
    await until(() => relay.received.length === 3);
    const dropped = lines.filter((l) => l.event === 'dropped');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.reason).toBe('perHour limit 50');
    expect(await stores.counters.count('small', new Date(0))).toBe(40);
    expect(await stores.counters.count('other', new Date(0))).toBe(20);
  });
});

describe('SRS in the outbox', () => {
  it('rewrites the sender of forwards out of our domains only, and bounces go to the original sender', async () => {
    const relay = await peer();
    relay.rcpt = (to) => (to === 'gone@else.example' ? { code: 550, message: '5.1.1 gone' } : null);
    const srsOptions = { secret: 's3cret', domain: 'fwd.example', localDomains: ['example.net'] };
    const { o } = outbox({ relay: relay.url, srs: srsOptions });
    await o.enqueue('bob', {
      kind: 'redirect',
      from: 'alice@example.com',
      to: ['r@else.example'],
      message: msg('a'),
    });
    await o.enqueue('bob', {
      kind: 'redirect',
      from: 'alice@example.com',
      to: ['local@example.net'],
      message: msg('b'),
    });
    await o.enqueue('bob', { kind: 'vacation', from: '', to: ['alice@example.com'], message: msg('c') });
    await o.enqueue('bob', {
      kind: 'redirect',
      from: 'alice@example.com',
      to: ['gone@else.example'],
      message: msg('d'),
    });
    await o.flush();
    await until(() => relay.received.length === 4);
    const of = (to: string) => relay.received.find((r) => r.to[0] === to)!;
    const rewritten = of('r@else.example').from;
    expect(rewritten).toMatch(/^SRS0=[^=]{4}=[A-Z2-7]{2}=example\.com=alice@fwd\.example$/);
    expect(new Srs(srsOptions).reverse(rewritten, new Date())).toBe('alice@example.com');
    expect(of('local@example.net').from).toBe('alice@example.com');
    const dsn = relay.received.filter(
      (r) => r.to[0] === 'alice@example.com' && r.data.includes('delivery-status'),
    );
    expect(dsn).toHaveLength(1);
  });
});

describe('crash safety', () => {
  const child = (dir: string, relay: string, count: number) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'outbox-child.ts'), dir, relay, String(count)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  const exited = (p: ReturnType<typeof child>) =>
    new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) => {
      let out = '';
      let err = '';
      p.stdout!.on('data', (d: Buffer) => (out += d));
      p.stderr!.on('data', (d: Buffer) => (err += d));
      p.on('exit', (code, signal) => resolve({ code, signal, out, err }));
    });

  it('a sending process killed with SIGKILL mid-queue: after a restart every message arrives exactly once', async () => {
    const dir = freshDir();
    // Queued while the relay is down, then the process ends: the mail waits on disk.
    const down = await freePort();
    const first = await exited(child(dir, `smtp://127.0.0.1:${down}`, 6));
    expect(first.err).toBe('');
    expect(first.out).toContain('done');
    expect(readdirSync(join(dir, 'queue'))).toHaveLength(6);

    const relay = await peer();
    const sender = child(dir, relay.url, 0);
    const second = exited(sender);
    // Killed while the relay considers the third message's recipient: two were accepted and
    // acknowledged, the third was not (nothing of it transferred yet).
    relay.rcptDelay = 300;
    relay.onRcpt = (received) => {
      if (received === 2) sender.kill('SIGKILL');
    };
    const killed = await second;
    expect(killed.signal).toBe('SIGKILL');
    expect(relay.received).toHaveLength(2);
    expect(readdirSync(join(dir, 'active'))).toHaveLength(1);

    relay.onRcpt = () => {};
    relay.rcptDelay = 0;
    const third = await exited(child(dir, relay.url, 0));
    expect(third.out).toContain('done');
    const subjects = relay.received
      .map((r) => /Subject: (m\d+)/.exec(r.data.toString('latin1', 0, 200))![1])
      .sort();
    expect(subjects).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    for (const r of relay.received) {
      const i = /Subject: m(\d+)/.exec(r.data.toString('latin1', 0, 200))![1];
      expect(r.data.length).toBe(
        Buffer.byteLength(`Subject: m${i}\r\nMessage-ID: <m${i}@test>\r\n\r\n`) +
          `body ${i}\r\n`.length * 10_000,
      );
    }
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);
    expect(readdirSync(join(dir, 'active'))).toEqual([]);
    expect(existsSync(join(dir, 'done')) && readdirSync(join(dir, 'done'))).toEqual([]);
  }, 120_000);
});

describe('queueing failures', () => {
  it('a counters store that fails, or an outbox folder that cannot be written, rejects as temporary', async () => {
    const stores = memoryStores();
    stores.counters.count = async () => Promise.reject(new Error('database is locked'));
    const { o } = outbox({ stores });
    const e = await o
      .enqueue('bob', { kind: 'vacation', from: '', to: ['a@example.com'], message: msg('x') })
      .catch((x: unknown) => x);
    expect((e as Error).name).toBe('TemporaryDeliveryError');
    expect((e as Error).message).toMatch(/database is locked/);

    const file = join(root, `file${n++}`);
    writeFileSync(file, 'not a folder');
    const { o: broken } = outbox({ dir: join(file, 'outbox') });
    const e2 = await broken
      .enqueue('bob', { kind: 'vacation', from: '', to: ['a@example.com'], message: msg('x') })
      .catch((x: unknown) => x);
    expect((e2 as Error).name).toBe('TemporaryDeliveryError');
    await expect(broken.flush()).rejects.toThrow();
  });
});

describe('one outbox folder, several senders', () => {
  it('two outboxes on the same folder sending at once send each message once', async () => {
    const relay = await peer();
    relay.rcptDelay = 5;
    const dir = freshDir();
    const { o: a } = outbox({ dir, relay: relay.url });
    for (let i = 0; i < 20; i++) {
      await a.enqueue('bob', {
        kind: 'vacation',
        from: '',
        to: [`s${i}@example.com`],
        message: msg(`c${i}`),
      });
    }
    const { o: b } = outbox({ dir, relay: relay.url });
    await Promise.all([a.flush(), b.flush(), a.flush(), b.flush()]);
    await until(() => relay.received.length >= 20);
    await new Promise((r) => setTimeout(r, 300));
    const subjects = relay.received.map((r) => /Subject: (c\d+)/.exec(r.data.toString())![1]);
    expect(subjects.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`).sort());
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);
    expect(readdirSync(join(dir, 'active'))).toEqual([]);
  });
});

describe('relay connections', () => {
  it('smtps:// with user:pass logs in over TLS and sends', async () => {
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
    } as never);
    const logins: string[] = [];
    const relay = await startPeer(0, {
      secure: true,
      key: pems.private,
      cert: pems.cert,
      authOptional: false,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, cb) {
        logins.push(`${auth.username}:${auth.password}`);
        if (auth.username === 'tamis' && auth.password === 'p@ss word') cb(null, { user: auth.username });
        else cb(new Error('bad credentials'));
      },
    });
    peers.push(relay);
    const url = `smtps://tamis:${encodeURIComponent('p@ss word')}@127.0.0.1:${relay.port}?tls.rejectUnauthorized=false`;
    const { o, lines } = outbox({ relay: url });
    await o.enqueue('bob', { kind: 'vacation', from: '', to: ['a@example.com'], message: msg('tls') });
    await o.flush();
    expect(relay.received).toHaveLength(1);
    expect(logins).toEqual(['tamis:p@ss word']);
    // The password never appears in the log.
    expect(JSON.stringify(lines)).not.toContain('p@ss');
  });

  it('a relay that accepts the connection and never answers is a timeout: the message is deferred', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    try {
      const { o, lines } = outbox({ relay: `smtp://127.0.0.1:${port}`, relayTimeout: 0.3 });
      await o.enqueue('bob', { kind: 'vacation', from: '', to: ['a@example.com'], message: msg('hang') });
      const started = Date.now();
      await o.flush();
      expect(Date.now() - started).toBeLessThan(5_000);
      const deferred = lines.find((l) => l.event === 'deferred')!;
      expect(String((deferred.reasons as string[])[0])).toMatch(/greeting never received/i);
    } finally {
      silent.close();
    }
  });
});
