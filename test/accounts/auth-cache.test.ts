import { describe, expect, it } from 'vitest';
import { AuthCache } from '../../src/accounts/auth-cache.js';

describe('AuthCache', () => {
  it('returns cached results until the TTL runs out', () => {
    let t = 0;
    const c = new AuthCache({ size: 10, ttlMs: 100, negativeTtlMs: 50, now: () => t });
    c.set('a', 'good', true);
    c.set('a', 'bad', false);
    expect(c.get('a', 'good')).toBe(true);
    expect(c.get('a', 'bad')).toBe(false);
    expect(c.get('a', 'other')).toBeUndefined();
    t = 60;
    expect(c.get('a', 'bad')).toBeUndefined();
    expect(c.get('a', 'good')).toBe(true);
    t = 100;
    expect(c.get('a', 'good')).toBeUndefined();
  });

  it('keeps user and password apart and evicts the least recently used', () => {
    const c = new AuthCache({ size: 2, ttlMs: 1000, negativeTtlMs: 1000 });
    c.set('ab', 'c', true);
    expect(c.get('a', 'bc')).toBeUndefined();
    c.set('x', '1', true);
    c.get('ab', 'c');
    c.set('y', '2', true);
    expect(c.count).toBe(2);
    expect(c.get('x', '1')).toBeUndefined();
    expect(c.get('ab', 'c')).toBe(true);
  });

  it('flushes one user and stores nothing when disabled', () => {
    const c = new AuthCache({ size: 10, ttlMs: 1000, negativeTtlMs: 0 });
    c.set('a', 'p', true);
    c.set('b', 'p', true);
    c.set('b', 'q', false);
    expect(c.get('b', 'q')).toBeUndefined();
    c.flushUser('a');
    expect(c.get('a', 'p')).toBeUndefined();
    expect(c.get('b', 'p')).toBe(true);
    const off = new AuthCache({ size: 0, ttlMs: 1000, negativeTtlMs: 1000 });
    off.set('a', 'p', true);
    expect(off.get('a', 'p')).toBeUndefined();
  });

  it('does not hold the password in its keys', () => {
    const c = new AuthCache({ size: 10, ttlMs: 1000, negativeTtlMs: 1000 });
    c.set('alice', 'hunter2-secret', true);
    const keys = [...(c as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys.join()).not.toContain('hunter2');
  });
});
