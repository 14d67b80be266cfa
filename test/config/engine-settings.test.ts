import { describe, expect, it } from 'vitest';
import { ConfigError, checkEngineSettings } from '../../src/app/engine-settings.js';

describe('engine settings check', () => {
  it('refuses a wrong type and an unknown key, listing both with paths', () => {
    let err: unknown;
    try {
      checkEngineSettings({ maxRedirect: 15, vacation: { minPeriod: 'abc' } }, 'x.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'engine.maxRedirect: unknown setting; did you mean maxRedirects?',
      'engine.vacation.minPeriod: expected an integer >= 0, got "abc"',
    ]);
  });

  it('accepts valid settings and user-named maps', () => {
    const ok = { maxRedirects: 15, vacation: { minPeriod: 0 }, environment: { 'my.key': 'v' } };
    expect(checkEngineSettings(ok, 'x.json')).toEqual(ok);
  });
});
