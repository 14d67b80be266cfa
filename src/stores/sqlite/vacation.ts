import type Database from 'better-sqlite3';
import type { VacationTracker } from '../types.js';
import type { Guard } from './guard.js';

/** RFC 5230 response tracking: one row per (user, sender, handle), the time of the last reply. */
export function sqliteVacation(db: Database.Database, guard: Guard): VacationTracker {
  const last = db.prepare<[string, string, string], { at: number }>(
    'SELECT at FROM vacation_replies WHERE user = ? AND sender = ? AND handle = ?',
  );
  const record = db.prepare<[string, string, string, number]>(
    `INSERT INTO vacation_replies (user, sender, handle, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user, sender, handle) DO UPDATE SET at = excluded.at`,
  );
  return {
    recentlyReplied: async (user, sender, handle, seconds, now) =>
      guard.read('read the vacation log', () => {
        const row = last.get(user, sender.toLowerCase(), handle);
        return row !== undefined && now.getTime() - row.at < seconds * 1000;
      }),
    recordReply: async (user, sender, handle, now) =>
      guard.write('record a vacation reply', now, () => {
        record.run(user, sender.toLowerCase(), handle, now.getTime());
      }),
  };
}
