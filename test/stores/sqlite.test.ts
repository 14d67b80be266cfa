import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStores, SCHEMA_VERSION, StoreError } from '../../src/stores/sqlite/index.js';
import { DEFAULT_RETENTION, Guard } from '../../src/stores/sqlite/guard.js';
import { migrate } from '../../src/stores/sqlite/schema.js';
import { storeContract } from './contract.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'tamis-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `stores-${n++}.db`);
const DAY = 86_400_000;

storeContract('sqlite', async () => openSqliteStores(fresh()));

describe('sqlite stores on disk', () => {
  it('keeps what was written after closing and reopening, in WAL mode at the current schema version', async () => {
    const file = fresh();
    const a = openSqliteStores(file);
    await a.deliveries.put('m', { stored: ['INBOX'], sent: ['x'], done: true }, new Date());
    await a.vacation.recordReply('u', 's@x', 'h', new Date());
    await a.close();
    const b = openSqliteStores(file);
    expect(await b.deliveries.get('m')).toEqual({ stored: ['INBOX'], sent: ['x'], done: true });
    expect(await b.vacation.recentlyReplied('u', 's@x', 'h', 60, new Date())).toBe(true);
    await b.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
  });

  it('is shared by two processes writing at the same time: nothing lost, no lock error', async () => {
    const file = fresh();
    openSqliteStores(file).close();
    const child = (user: string) =>
      run(process.execPath, [
        '--import',
        'tsx',
        join(import.meta.dirname, 'sqlite-writer.ts'),
        file,
        user,
        '150',
      ]);
    const [a, b] = await Promise.all([child('a'), child('b')]);
    // Each saw at least its own writes; the later one finished after both were written.
    expect(Math.max(Number(a.stdout), Number(b.stdout))).toBe(300);
    const s = openSqliteStores(file);
    expect(await s.counters.count('shared', new Date(0))).toBe(300);
    expect(await s.duplicates.seen('a', 'k149', 3600, new Date())).toBe(true);
    expect(await s.duplicates.seen('b', 'k0', 3600, new Date())).toBe(true);
    expect(await s.vacation.recentlyReplied('shared', 'b-7@example.org', 'h', 3600, new Date())).toBe(true);
    await s.close();
  }, 60_000);

  it('refuses a file that is not a database with a clear error', () => {
    const file = fresh();
    writeFileSync(file, 'this is not SQLite at all, just text that happens to be here\n'.repeat(100));
    const before = readFileSync(file);
    let error: unknown;
    try {
      openSqliteStores(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(file);
    expect((error as StoreError).message).toMatch(/not a database/);
    expect((error as StoreError).temporary).toBe(false);
    // The file is left as it was, for an operator to look at.
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a file damaged inside gives rejections (never wrong answers) once the damage is read', async () => {
    const file = fresh();
    const s = openSqliteStores(file);
    for (let i = 0; i < 200; i++) await s.duplicates.mark('u', `key-${i}-${'x'.repeat(500)}`, new Date());
    await s.close();
    // Checkpointed into the main file on close; overwrite the pages past the first ones with junk.
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(64 * 1024, 0xa5), 0, 64 * 1024, 8192);
    closeSync(fd);
    let failure: unknown;
    try {
      const d = openSqliteStores(file);
      try {
        await d.duplicates.seen('u', 'key-150-' + 'x'.repeat(500), 60, new Date());
        await d.duplicates.mark('u', 'new', new Date());
      } finally {
        await d.close();
      }
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).message).toMatch(/malformed|not a database|corrupt/i);
  });

  it('refuses a file from a newer release instead of guessing its tables', () => {
    const file = fresh();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    expect(() => openSqliteStores(file)).toThrow(/newer than this release/);
  });

  it('a write that waits too long for another process lock rejects as a temporary StoreError', async () => {
    const file = fresh();
    const s = openSqliteStores(file, { busyTimeout: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const e = await s.counters.add('u', 1, new Date()).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).code).toBe('SQLITE_BUSY');
      expect((e as StoreError).temporary).toBe(true);
      // Reads still answer while the other process writes (WAL).
      expect(await s.counters.count('u', new Date(0))).toBe(0);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await s.counters.add('u', 1, new Date());
    expect(await s.counters.count('u', new Date(0))).toBe(1);
    await s.close();
  });

  it('a full file rejects writes as a temporary StoreError and still answers reads', async () => {
    const s = openSqliteStores(fresh(), { maxSize: 64 * 1024 });
    await s.duplicates.mark('u', 'first', new Date());
    let error: unknown;
    for (let i = 0; i < 500 && !error; i++) {
      await s.deliveries
        .put(`k${i}`, { stored: ['x'.repeat(2000)], sent: [], done: true }, new Date())
        .catch((e: unknown) => {
          error = e;
        });
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('SQLITE_FULL');
    expect((error as StoreError).temporary).toBe(true);
    expect(await s.duplicates.seen('u', 'first', 60, new Date())).toBe(true);
    await s.close();
  });

  it('deletes rows older than their retention when written to', async () => {
    const file = fresh();
    const s = openSqliteStores(file, { retention: { duplicates: 86_400, counters: 86_400 } });
    const t0 = Date.UTC(2026, 0, 1);
    await s.duplicates.mark('u', 'old', new Date(t0));
    await s.counters.add('u', 5, new Date(t0));
    await s.vacation.recordReply('u', 's@x', 'h', new Date(t0));
    await s.duplicates.mark('u', 'new', new Date(t0 + 3 * DAY));
    const raw = new Database(file, { readonly: true });
    const keys = raw.prepare('SELECT key FROM duplicate_marks').pluck().all();
    expect(keys).toEqual(['new']);
    expect(raw.prepare('SELECT count(*) FROM send_counts').pluck().get()).toBe(0);
    // Vacation replies are kept for longer (400 days by default).
    expect(raw.prepare('SELECT count(*) FROM vacation_replies').pluck().get()).toBe(1);
    raw.close();
    await s.close();
  });

  it('rejects calls after close', async () => {
    const s = openSqliteStores(fresh());
    await s.close();
    await expect(s.vacation.recentlyReplied('u', 's', 'h', 1, new Date())).rejects.toThrow(/closed/);
    await expect(s.close()).resolves.toBeUndefined();
  });

  it('refuses a damaged delivery record instead of answering with it', async () => {
    const file = fresh();
    const s = openSqliteStores(file);
    const raw = new Database(file);
    raw.prepare("INSERT INTO delivery_records (key, record, at) VALUES ('m', '{\"stored\":3}', 0)").run();
    raw.close();
    await expect(s.deliveries.get('m')).rejects.toThrow(/damaged/);
    await s.close();
  });

  it('waits for the disk on a commit holding a durable write, and only then', async () => {
    const file = fresh();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db, file);
    const guard = new Guard(db, file, DEFAULT_RETENTION);
    // The setting in force inside each commit: 2 is FULL (flushed), 1 NORMAL (not flushed).
    const seen: number[] = [];
    const probe = () => seen.push(db.pragma('synchronous', { simple: true }) as number);
    const now = new Date();
    await guard.write('relaxed', now, probe, false);
    await Promise.all([guard.write('relaxed', now, probe, false), guard.write('durable', now, probe)]);
    await guard.write('durable', now, probe);
    await guard.write('relaxed', now, probe, false);
    expect(seen).toEqual([1, 2, 2, 2, 1]);
    guard.close();
    db.close();
    // Through the delivery records: one that lists outgoing mail is durable, one that does not is not.
    const s = openSqliteStores(fresh());
    await s.deliveries.put('a', { stored: ['INBOX'], sent: [], done: true }, now);
    await s.deliveries.put('b', { stored: [], sent: ['redirect'], done: false }, now);
    expect(await s.deliveries.get('a')).toEqual({ stored: ['INBOX'], sent: [], done: true });
    await s.close();
  });
});
