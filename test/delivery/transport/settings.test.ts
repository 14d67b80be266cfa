import { describe, expect, it } from 'vitest';
import {
  checkSendingSettings,
  outboxOptionsFrom,
  SENDING_SETTINGS,
} from '../../../src/delivery/transport/settings.js';

describe('sending settings', () => {
  it('an empty section gives the defaults: outbox in the data folder, no relay, no SRS', () => {
    expect(checkSendingSettings({})).toEqual([]);
    const o = outboxOptionsFrom({}, '/data');
    expect(o.dir).toBe('/data/outbox');
    expect(o.relay).toBeUndefined();
    expect(o.srs).toBeUndefined();
    expect(o.limits).toMatchObject({ maxRecipients: 25, perMinute: 100, perHour: null, overLimit: 'hold' });
    expect(o.retry).toEqual({ first: 60, factor: 2, max: 3600, giveUpAfter: 432_000 });
  });

  it('refuses unknown keys, wrong types and bad values, with their paths', () => {
    expect(
      checkSendingSettings({
        relay: 'http://x',
        retry: { first: -1, nope: 1 },
        limits: { overLimit: 'bounce', perHour: 'many', plan: 'huge' },
        srs: { secret: 'x' },
        extra: true,
      }).sort(),
    ).toEqual(
      [
        'delivery.sending.relay: expected smtp://host:port or smtps://host:port',
        'delivery.sending.retry.first: expected number',
        'delivery.sending.retry.nope: unknown setting',
        'delivery.sending.limits.overLimit: expected "hold" or "drop"',
        'delivery.sending.limits.perHour: expected number|null',
        'delivery.sending.limits.plan: expected "" or "small" or "medium" or "large"',
        'delivery.sending.srs.domain: needed when srs.secret is set',
        'delivery.sending.extra: unknown setting',
      ].sort(),
    );
    expect(checkSendingSettings([])).toEqual(['delivery.sending: expected an object']);
  });

  it('a plan gives its caps, an explicit cap wins, SRS is on with a secret', () => {
    const o = outboxOptionsFrom(
      {
        relay: 'smtp://relay:25',
        limits: { plan: 'medium', perDay: 1000 },
        srs: { secret: 's', domain: 'fwd.example' },
      },
      '/data',
    );
    expect(o.relay).toBe('smtp://relay:25');
    expect(o.limits).toMatchObject({ perHour: 200, perDay: 1000, perMonth: 36_000 });
    expect(o.srs).toEqual({ secret: 's', domain: 'fwd.example', localDomains: [], maxAge: 21 });
  });

  it('every setting has a meaning', () => {
    for (const [key, s] of Object.entries(SENDING_SETTINGS))
      expect(s.meaning.length, key).toBeGreaterThan(10);
  });
});
