import type {
  DeliveryRecord,
  DeliveryRecords,
  DeliveryStores,
  DuplicateTracker,
  SendCounters,
  VacationTracker,
} from './types.js';

/** Stores that live as long as the process: for tests and one-off runs, never for delivery. */
export function memoryStores(): DeliveryStores {
  const replies = new Map<string, number>();
  const marks = new Map<string, number>();
  const records = new Map<string, DeliveryRecord>();
  const sends = new Map<string, number[]>();
  const within = (at: number | undefined, seconds: number, now: Date) =>
    at !== undefined && now.getTime() - at < seconds * 1000;

  const vacation: VacationTracker = {
    recentlyReplied: async (user, sender, handle, seconds, now) =>
      within(replies.get(`${user}\0${sender.toLowerCase()}\0${handle}`), seconds, now),
    recordReply: async (user, sender, handle, now) => {
      replies.set(`${user}\0${sender.toLowerCase()}\0${handle}`, now.getTime());
    },
  };
  const duplicates: DuplicateTracker = {
    seen: async (user, key, seconds, now) => within(marks.get(`${user}\0${key}`), seconds, now),
    mark: async (user, key, now) => {
      marks.set(`${user}\0${key}`, now.getTime());
    },
  };
  const deliveries: DeliveryRecords = {
    get: async (key) => structuredClone(records.get(key) ?? null),
    put: async (key, record) => {
      records.set(key, structuredClone(record));
    },
  };
  const counters: SendCounters = {
    count: async (user, since) => (sends.get(user) ?? []).filter((t) => t >= since.getTime()).length,
    add: async (user, n, now) => {
      const list = sends.get(user) ?? [];
      for (let i = 0; i < n; i++) list.push(now.getTime());
      sends.set(user, list);
    },
  };
  return { vacation, duplicates, deliveries, counters, close: async () => {} };
}
