import type Database from 'better-sqlite3';
import type { DeliveryRecord, DeliveryRecords } from '../types.js';
import { StoreError } from './errors.js';
import type { Guard } from './guard.js';

function parse(key: string, text: string): DeliveryRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  const v = value as Partial<DeliveryRecord> | null;
  const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
  if (!v || !strings(v.stored) || !strings(v.sent) || typeof v.done !== 'boolean') {
    throw new StoreError(`delivery record ${JSON.stringify(key)} is damaged`, 'SQLITE_CORRUPT', false);
  }
  return { stored: [...v.stored!], sent: [...v.sent!], done: v.done };
}

/** What each delivery already did, as JSON per key, so an MTA retry repeats nothing. */
export function sqliteDeliveries(db: Database.Database, guard: Guard): DeliveryRecords {
  const get = db.prepare<[string], { record: string }>('SELECT record FROM delivery_records WHERE key = ?');
  const put = db.prepare<[string, string, number]>(
    `INSERT INTO delivery_records (key, record, at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET record = excluded.record, at = excluded.at`,
  );
  return {
    get: async (key) =>
      guard.read('read a delivery record', () => {
        const row = get.get(key);
        return row ? parse(key, row.record) : null;
      }),
    put: async (key, record, now) =>
      guard.write(
        'write a delivery record',
        now,
        () => {
          put.run(
            key,
            JSON.stringify({ stored: record.stored, sent: record.sent, done: record.done }),
            now.getTime(),
          );
        },
        // Guards against sending twice must survive a power cut; one against storing twice need not.
        record.sent.length > 0,
      ),
  };
}
