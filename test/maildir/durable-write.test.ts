import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { storeDurably, storeThreadsInUse, useStoreThreads } from '../../src/maildir/durable-write.js';
import { deliverToMaildir } from '../../src/maildir/writer.js';

function maildir(): string {
  const root = mkdtempSync(join(tmpdir(), 'tamis-durable-'));
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(root, sub));
  return root;
}

const releases: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const r of releases.splice(0)) await r();
});

describe.each([
  ['in the event loop', false],
  ['on store threads', true],
])('storeDurably %s', (_name, threads) => {
  const setUp = () => {
    if (threads) releases.push(useStoreThreads());
  };

  it('puts many messages in place at once, whole, with nothing left in tmp/', async () => {
    setUp();
    const root = maildir();
    const bodies = Array.from({ length: 40 }, (_, i) =>
      Buffer.from(`Subject: ${i}\r\n\r\n${'x'.repeat(i * 997)}\r\n`),
    );
    await Promise.all(
      bodies.map((b, i) => storeDurably(join(root, 'tmp', `m${i}`), join(root, 'new', `m${i}`), b)),
    );
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    for (const [i, b] of bodies.entries()) expect(readFileSync(join(root, 'new', `m${i}`))).toEqual(b);
  });

  it('fails with the system code and removes its file from tmp/ when the rename fails', async () => {
    setUp();
    const root = maildir();
    await expect(
      storeDurably(join(root, 'tmp', 'a'), join(root, 'missing', 'a'), Buffer.from('x')),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('never writes over a file of the same name in tmp/ (EEXIST), and leaves that file alone', async () => {
    setUp();
    const root = maildir();
    writeFileSync(join(root, 'tmp', 'same'), 'theirs');
    await expect(
      storeDurably(join(root, 'tmp', 'same'), join(root, 'new', 'same'), Buffer.from('ours')),
    ).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(join(root, 'tmp', 'same'), 'utf8')).toBe('theirs');
    expect(readdirSync(join(root, 'new'))).toEqual([]);
  });

  it('is what deliverToMaildir stores through, flags and folders included', async () => {
    setUp();
    const root = maildir();
    const msg = Buffer.from('Subject: hi\r\n\r\nbody\r\n');
    const path = await deliverToMaildir(root, msg, { folder: 'A/B', create: true, flags: ['\\Seen'] });
    expect(path.startsWith(join(root, '.A.B', 'cur'))).toBe(true);
    expect(readFileSync(path)).toEqual(msg);
    expect(readdirSync(join(root, '.A.B', 'tmp'))).toEqual([]);
  });
});

describe('store threads', () => {
  it('are let go only once the messages given to them are in place', async () => {
    const release = useStoreThreads();
    const root = maildir();
    const stores = Array.from({ length: 20 }, (_, i) =>
      storeDurably(join(root, 'tmp', `m${i}`), join(root, 'new', `m${i}`), Buffer.from(`m${i}`)),
    );
    expect(storeThreadsInUse()).toBe(true);
    await release();
    expect(storeThreadsInUse()).toBe(false);
    expect(readdirSync(join(root, 'new'))).toHaveLength(20);
    await Promise.all(stores);
    // After the last holder let go, stores run in the event loop again and still work.
    await storeDurably(join(root, 'tmp', 'after'), join(root, 'new', 'after'), Buffer.from('after'));
    expect(readFileSync(join(root, 'new', 'after'), 'utf8')).toBe('after');
  });

  it('stay while another holder still uses them', async () => {
    const a = useStoreThreads();
    const b = useStoreThreads();
    await a();
    await a(); // letting go twice counts once
    expect(storeThreadsInUse()).toBe(true);
    const root = maildir();
    await storeDurably(join(root, 'tmp', 'x'), join(root, 'new', 'x'), Buffer.from('x'));
    expect(readdirSync(join(root, 'new'))).toEqual(['x']);
    await b();
    expect(storeThreadsInUse()).toBe(false);
  });

  it('fall back to the event loop when no thread can be started', async () => {
    const threads = createRequire(import.meta.url)('node:worker_threads') as { Worker: unknown };
    const real = threads.Worker;
    threads.Worker = function refused() {
      throw new Error('ERR_WORKER_INIT_FAILED');
    };
    try {
      const release = useStoreThreads();
      const root = maildir();
      await storeDurably(join(root, 'tmp', 'x'), join(root, 'new', 'x'), Buffer.from('x'));
      expect(readFileSync(join(root, 'new', 'x'), 'utf8')).toBe('x');
      await release();
    } finally {
      threads.Worker = real;
    }
  });
});
