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

interface PendingWrite {
  doing: string;
  durable: boolean;
  run: () => void;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Runs the stores' statements: turns what SQLite throws into a `StoreError` rejection (the caller
 * makes it a temporary failure), refuses use after close, and deletes expired rows from time to time.
 *
 * Writes are committed in groups: those asked for while the event loop is busy with other work
 * (other deliveries' disk I/O) go into one transaction, so they share one fsync, the cost that
 * counts with `synchronous = FULL`, and the loop is blocked once for them all. A durable write's
 * promise resolves only once its transaction is on disk. A group of writes that are all marked
 * not durable is committed with `synchronous = NORMAL`: in WAL mode that is written to the file
 * at once (a killed process loses nothing) but not flushed, so a power cut can roll the last such
 * groups back; the database stays whole, and the next durable commit flushes them too.
 */
export class Guard {
  private closed = false;
  private lastPrune = -Infinity;
  private latest = -Infinity;
  private readonly prune: () => void;
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private flushing = true;

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
    // A read sees every write asked for before it.
    if (this.pending.length > 0) this.commit();
    this.open(doing);
    try {
      return run();
    } catch (e) {
      throw storeError(this.file, doing, e);
    }
  }

  /** `durable`: false when losing the write to a power cut is acceptable (see above). */
  write(doing: string, now: Date, run: () => void, durable = true): Promise<void> {
    this.open(doing);
    this.latest = Math.max(this.latest, now.getTime());
    return new Promise((resolve, reject) => {
      this.pending.push({ doing, durable, run, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.commit());
      }
    });
  }

  /** Commits the writes waiting, in one transaction; when it fails, each alone, so one bad write fails alone. */
  private commit(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.closed) {
      for (const w of batch) w.reject(closedError(this.file, w.doing));
      return;
    }
    try {
      this.flush(batch.some((w) => w.durable));
      this.db.transaction(() => {
        for (const w of batch) w.run();
      })();
      for (const w of batch) w.resolve();
    } catch (e) {
      if (batch.length === 1) batch[0]!.reject(storeError(this.file, batch[0]!.doing, e));
      else
        for (const w of batch) {
          try {
            w.run();
            w.resolve();
          } catch (one) {
            w.reject(storeError(this.file, w.doing, one));
          }
        }
    }
    if (this.latest - this.lastPrune >= PRUNE_EVERY) this.expire(new Date(this.latest));
  }

  /**
   * Sets whether commits wait for the disk. (Through `pragma` each time: SQLite applies this pragma
   * when the statement is prepared, so a prepared statement run again would change nothing.)
   */
  private flush(wait: boolean): void {
    if (wait === this.flushing) return;
    this.db.pragma(wait ? 'synchronous = FULL' : 'synchronous = NORMAL');
    this.flushing = wait;
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

  /** Commits what is waiting, then refuses further use. */
  close(): void {
    this.commit();
    this.closed = true;
  }

  private open(doing: string): void {
    if (this.closed) throw closedError(this.file, doing);
  }
}

const closedError = (file: string, doing: string): StoreError =>
  new StoreError(`delivery store ${file}: cannot ${doing}: closed`, 'CLOSED', false);
