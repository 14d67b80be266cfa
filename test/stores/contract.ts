import { describe, expect, it } from 'vitest';
import type { DeliveryStores } from '../../src/stores/types.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);

/** What every DeliveryStores backend promises; each backend's test file runs this suite. */
export function storeContract(name: string, open: () => Promise<DeliveryStores>): void {
  describe(`${name}: the stores contract`, () => {
    const withStores = (fn: (s: DeliveryStores) => Promise<void>) => async () => {
      const s = await open();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    };

    it(
      'vacation: a reply counts for its period, per user, sender (any case) and handle',
      withStores(async ({ vacation }) => {
        expect(await vacation.recentlyReplied('u', 'a@x.org', 'h', 600, at(0))).toBe(false);
        await vacation.recordReply('u', 'A@X.org', 'h', at(0));
        expect(await vacation.recentlyReplied('u', 'a@x.org', 'h', 600, at(599))).toBe(true);
        expect(await vacation.recentlyReplied('u', 'a@x.org', 'h', 600, at(600))).toBe(false);
        expect(await vacation.recentlyReplied('u', 'a@x.org', 'other', 600, at(1))).toBe(false);
        expect(await vacation.recentlyReplied('v', 'a@x.org', 'h', 600, at(1))).toBe(false);
        expect(await vacation.recentlyReplied('u', 'b@x.org', 'h', 600, at(1))).toBe(false);
        await vacation.recordReply('u', 'a@x.org', 'h', at(1000));
        expect(await vacation.recentlyReplied('u', 'a@x.org', 'h', 600, at(1500))).toBe(true);
      }),
    );

    it(
      'duplicates: a mark holds for the asked seconds and is refreshed by marking again',
      withStores(async ({ duplicates }) => {
        expect(await duplicates.seen('u', 'k', 60, at(0))).toBe(false);
        await duplicates.mark('u', 'k', at(0));
        expect(await duplicates.seen('u', 'k', 60, at(59))).toBe(true);
        expect(await duplicates.seen('u', 'k', 60, at(60))).toBe(false);
        expect(await duplicates.seen('other', 'k', 60, at(1))).toBe(false);
        expect(await duplicates.seen('u', 'K', 60, at(1))).toBe(false);
        await duplicates.mark('u', 'k', at(100));
        expect(await duplicates.seen('u', 'k', 60, at(120))).toBe(true);
      }),
    );

    it(
      'deliveries: a record reads back as written, and changing the copy read changes nothing',
      withStores(async ({ deliveries }) => {
        expect(await deliveries.get('m1')).toBeNull();
        await deliveries.put('m1', { stored: ['INBOX'], sent: [], done: false }, at(0));
        const got = await deliveries.get('m1');
        expect(got).toEqual({ stored: ['INBOX'], sent: [], done: false });
        got!.stored.push('Junk');
        expect((await deliveries.get('m1'))!.stored).toEqual(['INBOX']);
        await deliveries.put('m1', { stored: ['INBOX'], sent: ['q1'], done: true }, at(1));
        expect(await deliveries.get('m1')).toEqual({ stored: ['INBOX'], sent: ['q1'], done: true });
        expect(await deliveries.get('m2')).toBeNull();
      }),
    );

    it(
      'counters: counts add up per user since the given time, the instant itself included',
      withStores(async ({ counters }) => {
        expect(await counters.count('u', at(0))).toBe(0);
        await counters.add('u', 2, at(10));
        await counters.add('u', 3, at(10));
        await counters.add('u', 1, at(20));
        await counters.add('v', 7, at(20));
        expect(await counters.count('u', at(0))).toBe(6);
        expect(await counters.count('u', at(10))).toBe(6);
        expect(await counters.count('u', at(11))).toBe(1);
        expect(await counters.count('u', at(21))).toBe(0);
        expect(await counters.count('v', at(0))).toBe(7);
      }),
    );

    it(
      'keys with quotes, NUL-free unicode and long values are kept apart and intact',
      withStores(async ({ duplicates, deliveries }) => {
        const key = `'; DROP TABLE x; -- ü ${'x'.repeat(5000)}`;
        await duplicates.mark('u', key, at(0));
        expect(await duplicates.seen('u', key, 10, at(1))).toBe(true);
        expect(await duplicates.seen('u', key.slice(0, -1), 10, at(1))).toBe(false);
        await deliveries.put(key, { stored: ['Entwürfe'], sent: [], done: true }, at(0));
        expect((await deliveries.get(key))!.stored).toEqual(['Entwürfe']);
      }),
    );
  });
}
