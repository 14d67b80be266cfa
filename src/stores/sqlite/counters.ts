import type Database from 'better-sqlite3';
import type { SendCounters } from '../types.js';
import type { Guard } from './guard.js';

/** Automatic sends per user, one row per (user, millisecond) so windows of any length can be summed. */
export function sqliteCounters(db: Database.Database, guard: Guard): SendCounters {
  const count = db.prepare<[string, number], { n: number }>(
    'SELECT coalesce(sum(n), 0) AS n FROM send_counts WHERE user = ? AND at >= ?',
  );
  const add = db.prepare<[string, number, number]>(
    `INSERT INTO send_counts (user, at, n) VALUES (?, ?, ?)
     ON CONFLICT (user, at) DO UPDATE SET n = n + excluded.n`,
  );
  return {
    count: async (user, since) => guard.read('count sent mail', () => count.get(user, since.getTime())!.n),
    add: async (user, n, now) =>
      guard.write('count sent mail', now, () => {
        if (n > 0) add.run(user, now.getTime(), n);
      }),
  };
}
