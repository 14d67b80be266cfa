import type Database from 'better-sqlite3';
import type { DuplicateTracker } from '../types.js';
import type { Guard } from './guard.js';

/** RFC 7352 duplicate tracking: one row per (user, key), the time it was last marked. */
export function sqliteDuplicates(db: Database.Database, guard: Guard): DuplicateTracker {
  const last = db.prepare<[string, string], { at: number }>(
    'SELECT at FROM duplicate_marks WHERE user = ? AND key = ?',
  );
  const mark = db.prepare<[string, string, number]>(
    `INSERT INTO duplicate_marks (user, key, at) VALUES (?, ?, ?)
     ON CONFLICT (user, key) DO UPDATE SET at = excluded.at`,
  );
  return {
    seen: async (user, key, seconds, now) =>
      guard.read('read the duplicate log', () => {
        const row = last.get(user, key);
        return row !== undefined && now.getTime() - row.at < seconds * 1000;
      }),
    mark: async (user, key, now) =>
      guard.write('mark a duplicate', now, () => {
        mark.run(user, key, now.getTime());
      }),
  };
}
