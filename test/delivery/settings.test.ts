import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/config-file.js';
import { checkDeliverySettings, DELIVERY_DEFAULTS } from '../../src/app/delivery-settings.js';
import { deliveryEngineConfig } from '../../src/app/delivery.js';
import { DEFAULT_SPAM_RULE } from '../../src/delivery/spam-rule.js';
import { tempDir } from './helpers.js';

describe('delivery settings', () => {
  it('refuses unknown keys and wrong types with the key path', () => {
    expect(() => checkDeliverySettings({ relya: 'x' })).toThrow(
      'delivery.relya: unknown setting; did you mean relay?',
    );
    expect(() => checkDeliverySettings({ maxMessageSize: '50M' })).toThrow(
      'delivery.maxMessageSize: expected an integer >= 1, got "50M"',
    );
    expect(() => checkDeliverySettings({ maxMessageSize: 0 })).toThrow('delivery.maxMessageSize');
    expect(() => checkDeliverySettings({ spam: { treshold: 4 } })).toThrow(
      'delivery.spam.treshold: unknown setting; did you mean threshold?',
    );
    expect(() => checkDeliverySettings({ spam: { trust: 'all' } })).toThrow(
      'delivery.spam.trust: expected one of "above-received", "topmost", "any", got "all"',
    );
    expect(() => checkDeliverySettings({ beforeScripts: [1] })).toThrow(
      'delivery.beforeScripts[0]: expected a string',
    );
    expect(() => checkDeliverySettings({ relay: 'mail:25' })).toThrow('delivery.relay');
    expect(() => checkDeliverySettings({ sending: { srs: { secret: 'k' } } })).toThrow(
      'delivery.sending.srs.domain: needed when srs.secret is set',
    );
    expect(() => checkDeliverySettings({ sending: { limits: { perHuor: 3 } } })).toThrow(
      'delivery.sending.limits.perHuor: unknown setting',
    );
    expect(checkDeliverySettings({ lmtp: { listen: '/run/lmtp' }, detailMailbox: true })).toEqual({
      lmtp: { listen: '/run/lmtp' },
      detailMailbox: true,
    });
    expect(DELIVERY_DEFAULTS).toMatchObject({ maxRedirects: 15, maxMessageSize: 50 * 1024 * 1024 });
  });

  it("reads a file's delivery section with paths relative to the file, every problem listed", () => {
    const dir = tempDir();
    const file = join(dir, 'tamis.json');
    writeFileSync(
      file,
      JSON.stringify({
        delivery: {
          dataDir: 'data',
          beforeScripts: ['before.sieve'],
          logFile: 'stdout',
          sending: { outbox: 'out' },
        },
      }),
    );
    expect(loadConfig(file).delivery).toMatchObject({
      dataDir: join(dir, 'data'),
      beforeScripts: [join(dir, 'before.sieve')],
      logFile: 'stdout',
      sending: { outbox: join(dir, 'out') },
    });
    writeFileSync(file, JSON.stringify({ delivery: { spam: { threshold: 'high' }, lmtp: { port: 1 } } }));
    let error: unknown;
    try {
      loadConfig(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'delivery.spam.threshold: expected a number, got "high"',
      'delivery.lmtp.port: unknown setting',
    ]);
  });

  it('builds the engine from the engine section, with the redirect limit of delivery unless it sets one', () => {
    const spam = DEFAULT_SPAM_RULE;
    expect(deliveryEngineConfig({ disabled: ['reject'] }, {}, spam)).toMatchObject({
      disabled: ['reject'],
      maxRedirects: 15,
      spamtest: { header: 'X-Spamd-Result', max: 4.5 },
    });
    expect(deliveryEngineConfig({}, { maxRedirects: 7 }, spam).maxRedirects).toBe(7);
    expect(deliveryEngineConfig({ maxRedirects: 2 }, { maxRedirects: 7 }, spam).maxRedirects).toBe(2);
    // With the spam rule off, an engine section's own spamtest source stands.
    const own = { spamtest: { header: 'X-Spam-Score', max: 15 } };
    expect(deliveryEngineConfig(own, {}, { ...spam, enabled: false }).spamtest).toEqual(own.spamtest);
    expect(deliveryEngineConfig(own, {}, spam).spamtest).toMatchObject({ header: 'X-Spamd-Result' });
  });
});
