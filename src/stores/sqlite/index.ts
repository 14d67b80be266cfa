import Database from 'better-sqlite3';
import type { DeliveryStores } from '../types.js';
import { sqliteCounters } from './counters.js';
import { sqliteDeliveries } from './deliveries.js';
import { sqliteDuplicates } from './duplicates.js';
import { storeError } from './errors.js';
import { DEFAULT_RETENTION, Guard, type Retention } from './guard.js';
import { migrate } from './schema.js';
import { sqliteVacation } from './vacation.js';

export { StoreError } from './errors.js';
export { DEFAULT_RETENTION, type Retention } from './guard.js';
export { SCHEMA_VERSION } from './schema.js';

export interface SqliteStoreOptions {
  /** How long a writer waits for another process's lock before the call rejects (ms). */
  busyTimeout?: number;
  retention?: Partial<Retention>;
  /** Largest the file may grow (bytes); writes beyond it reject as a full disk would (SQLITE_FULL). */
  maxSize?: number;
}

/**
 * Opens (creating when missing) the delivery stores' SQLite file: WAL so readers never wait for
 * the writer, a busy timeout so several delivery processes can share the file, FULL synchronous so
 * a durable write acknowledged before a power cut is still there after it (the guard relaxes this
 * for writes that may be lost, see guard.ts). Throws a `StoreError` when the
 * file cannot be used (not a database, corrupt, from a newer release, unreadable).
 */
export function openSqliteStores(file: string, options: SqliteStoreOptions = {}): DeliveryStores {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: options.busyTimeout ?? 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // Reads the header and the schema, so a damaged file is refused now rather than mid-delivery.
    db.pragma('schema_version');
    migrate(db, file);
    if (options.maxSize !== undefined) {
      const page = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxSize / page))}`);
    }
    const retention = { ...DEFAULT_RETENTION, ...options.retention };
    const guard = new Guard(db, file, retention);
    const opened = db;
    return {
      vacation: sqliteVacation(db, guard),
      duplicates: sqliteDuplicates(db, guard),
      deliveries: sqliteDeliveries(db, guard),
      counters: sqliteCounters(db, guard),
      close: async () => {
        guard.close();
        if (opened.open) opened.close();
      },
    };
  } catch (e) {
    db?.close();
    throw storeError(file, 'open', e);
  }
}
