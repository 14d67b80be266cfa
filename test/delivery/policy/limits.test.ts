import { describe, expect, it } from 'vitest';
import {
  checkLimits,
  DEFAULT_SENDING_LIMITS,
  planLimits,
  splitRecipients,
} from '../../../src/delivery/policy/limits.js';
import { memoryStores } from '../../../src/stores/memory.js';

const t0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(t0 + s * 1000);

describe('sending limits', () => {
  it('defaults: 25 recipients an envelope, 100 a minute, no caps, hold', () => {
    expect(DEFAULT_SENDING_LIMITS).toMatchObject({
      maxRecipients: 25,
      perMinute: 100,
      perHour: null,
      overLimit: 'hold',
    });
  });

  it('plans set the hourly, daily and monthly caps', () => {
    expect(planLimits('small')).toMatchObject({ perMinute: 100, perHour: 50, perDay: 500, perMonth: 5_000 });
    expect(planLimits('medium')).toMatchObject({ perHour: 200, perDay: 2_400, perMonth: 36_000 });
    expect(planLimits('large', { overLimit: 'drop' })).toMatchObject({
      perHour: 500,
      perDay: 6_000,
      perMonth: 90_000,
      overLimit: 'drop',
    });
  });

  it('splits recipients in order into groups of at most the maximum', () => {
    const to = Array.from({ length: 51 }, (_, i) => `r${i}`);
    const groups = splitRecipients(to, 25);
    expect(groups.map((g) => g.length)).toEqual([25, 25, 1]);
    expect(groups.flat()).toEqual(to);
    expect(splitRecipients([], 25)).toEqual([]);
    expect(splitRecipients(['a', 'b'], 0)).toEqual([['a'], ['b']]);
  });

  it('names the first window a send would overflow, each window sliding', async () => {
    const { counters } = memoryStores();
    const limits = { ...planLimits('small'), perMinute: 10 };
    await counters.add('u', 9, at(0));
    expect(await checkLimits(counters, 'u', 1, limits, at(1))).toBeNull();
    expect((await checkLimits(counters, 'u', 2, limits, at(1)))!.limit).toBe('perMinute');
    // A minute later the minute window is free again.
    expect(await checkLimits(counters, 'u', 2, limits, at(61))).toBeNull();
    await counters.add('u', 40, at(120));
    const over = await checkLimits(counters, 'u', 2, limits, at(181));
    expect(over).toMatchObject({ limit: 'perHour', max: 50, count: 49 });
    expect(over!.retryAt.getTime()).toBe(at(241).getTime());
    expect(await checkLimits(counters, 'u', 2, limits, at(3_700))).toBeNull();
    expect(await checkLimits(counters, 'other', 10, limits, at(180))).toBeNull();
  });

  it('a rejected count (store down) rejects the check, so delivery fails temporarily', async () => {
    const counters = { count: async () => Promise.reject(new Error('locked')), add: async () => {} };
    await expect(checkLimits(counters, 'u', 1, DEFAULT_SENDING_LIMITS, at(0))).rejects.toThrow('locked');
  });
});
