import type Database from 'better-sqlite3';
import { StoreError, storeError } from './errors.js';

/** How long rows are kept, in seconds; older rows can no longer change an answer and are deleted. */
export interface Retention {
  /** Vacation replies: longer than any `:days`/`:seconds` period a script may ask for. */
  vacation: number;
  /** Duplicate marks: longer than the longest `:seconds` of the duplicate test. */
  duplicates: number;
  /** Delivery records: longer than an MTA keeps retrying a message (Postfix: 5 days). */
  deliveries: number;
  /** Send counters: the longest limit window (30 days). */
  counters: number;
}

const DAY = 86_400;
export const DEFAULT_RETENTION: Retention = {
  vacation: 400 * DAY,
  duplicates: 30 * DAY,
  deliveries: 10 * DAY,
  counters: 31 * DAY,
};

/** Expiry runs on a write at most this often (milliseconds of the callers' clock). */
const PRUNE_EVERY = 3_600_000;

/**
 * Runs the stores' statements: turns what SQLite throws into a `StoreError` rejection (the caller
 * makes it a temporary failure), refuses use after close, and deletes expired rows from time to time.
 */
export class Guard {
  private closed = false;
  private lastPrune = -Infinity;
  private readonly prune: () => void;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    retention: Retention,
  ) {
    const del = (table: string) => db.prepare<[number]>(`DELETE FROM ${table} WHERE at < ?`);
    const steps: [Database.Statement<[number]>, number][] = [
      [del('vacation_replies'), retention.vacation],
      [del('duplicate_marks'), retention.duplicates],
      [del('delivery_records'), retention.deliveries],
      [del('send_counts'), retention.counters],
    ];
    this.prune = () => {
      const now = this.lastPrune;
      for (const [statement, seconds] of steps) statement.run(now - seconds * 1000);
    };
  }

  read<T>(doing: string, run: () => T): T {
    this.open(doing);
    try {
      return run();
    } catch (e) {
      throw storeError(this.file, doing, e);
    }
  }

  write(doing: string, now: Date, run: () => void): void {
    this.open(doing);
    try {
      run();
    } catch (e) {
      throw storeError(this.file, doing, e);
    }
    if (now.getTime() - this.lastPrune >= PRUNE_EVERY) this.expire(now);
  }

  /** Deletes rows older than their retention; a failure here is logged by nobody and retried later. */
  expire(now: Date): void {
    this.open('expire old rows');
    this.lastPrune = now.getTime();
    try {
      this.db.transaction(this.prune)();
    } catch {
      // Expiry is housekeeping: a busy or full database must not fail the write that triggered it.
    }
  }

  close(): void {
    this.closed = true;
  }

  private open(doing: string): void {
    if (this.closed)
      throw new StoreError(`delivery store ${this.file}: cannot ${doing}: closed`, 'CLOSED', false);
  }
}
