// Run as a separate process by sqlite.test.ts: adds to the shared file's counters and marks, one call at a time.
import { openSqliteStores } from '../../src/stores/sqlite/index.js';

const [file, user, count] = process.argv.slice(2);
const stores = openSqliteStores(file!);
const n = Number(count);
for (let i = 0; i < n; i++) {
  const now = new Date();
  await stores.counters.add('shared', 1, now);
  await stores.duplicates.mark(user!, `k${i}`, now);
  await stores.vacation.recordReply('shared', `${user}-${i}@example.org`, 'h', now);
}
// Reads what the other process wrote, through this process's own connection.
process.stdout.write(String(await stores.counters.count('shared', new Date(0))));
await stores.close();
