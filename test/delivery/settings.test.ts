import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDeliverySettings, loadDeliverySettings } from '../../src/app/delivery-settings.js';
import { tempDir } from './helpers.js';

describe('delivery settings', () => {
  it('refuses unknown keys and wrong types with the key path', () => {
    expect(() => checkDeliverySettings({ relya: 'x' })).toThrow('delivery.relya: unknown key');
    expect(() => checkDeliverySettings({ maxMessageSize: '50M' })).toThrow(
      'delivery.maxMessageSize: must be a number',
    );
    expect(() => checkDeliverySettings({ spam: { treshold: 4 } })).toThrow(
      'delivery.spam.treshold: unknown key',
    );
    expect(() => checkDeliverySettings({ spam: { trust: 'all' } })).toThrow('delivery.spam.trust');
    expect(() => checkDeliverySettings({ beforeScripts: [1] })).toThrow('must be a list of strings');
    expect(checkDeliverySettings({ lmtp: { listen: '/run/lmtp' }, detailMailbox: true })).toEqual({
      lmtp: { listen: '/run/lmtp' },
      detailMailbox: true,
    });
  });

  it("reads a file's delivery section with paths relative to the file", async () => {
    const dir = tempDir();
    const file = join(dir, 'tamis.json');
    writeFileSync(
      file,
      JSON.stringify({ delivery: { dataDir: 'data', beforeScripts: ['before.sieve'], logFile: 'stdout' } }),
    );
    expect(await loadDeliverySettings(file)).toMatchObject({
      dataDir: join(dir, 'data'),
      beforeScripts: [join(dir, 'before.sieve')],
      logFile: 'stdout',
    });
    writeFileSync(file, '{"delivery": ');
    await expect(loadDeliverySettings(file)).rejects.toThrow(file);
  });
});
