import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';

/**
 * The schema, one step per version. `PRAGMA user_version` holds the version a file is at; opening
 * applies the missing steps in one transaction, and refuses a file from a newer release.
 */
const STEPS: string[] = [
  `CREATE TABLE vacation_replies (
     user TEXT NOT NULL, sender TEXT NOT NULL, handle TEXT NOT NULL, at INTEGER NOT NULL,
     PRIMARY KEY (user, sender, handle)) WITHOUT ROWID;
   CREATE INDEX vacation_replies_at ON vacation_replies (at);
   CREATE TABLE duplicate_marks (
     user TEXT NOT NULL, key TEXT NOT NULL, at INTEGER NOT NULL,
     PRIMARY KEY (user, key)) WITHOUT ROWID;
   CREATE INDEX duplicate_marks_at ON duplicate_marks (at);
   CREATE TABLE delivery_records (
     key TEXT PRIMARY KEY, record TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX delivery_records_at ON delivery_records (at);
   CREATE TABLE send_counts (
     user TEXT NOT NULL, at INTEGER NOT NULL, n INTEGER NOT NULL,
     PRIMARY KEY (user, at)) WITHOUT ROWID;
   CREATE INDEX send_counts_at ON send_counts (at);`,
];

export const SCHEMA_VERSION = STEPS.length;

export function migrate(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      `delivery store ${file}: schema version ${version} is newer than this release knows (${SCHEMA_VERSION})`,
      'SCHEMA_TOO_NEW',
      false,
    );
  }
  if (version === SCHEMA_VERSION) return;
  // IMMEDIATE takes the write lock first, so two processes opening a new file do not both migrate.
  db.transaction(() => {
    const now = db.pragma('user_version', { simple: true }) as number;
    for (let v = now; v < SCHEMA_VERSION; v++) db.exec(STEPS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
