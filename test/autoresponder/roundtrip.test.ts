import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkScript } from '../../src/index.js';
import {
  forwardRule,
  generateScript,
  readForward,
  readVacation,
  validateVacation,
  vacationRule,
} from '../../src/autoresponder/index.js';
import { forwardSettings, vacationSettings } from './arbitraries.js';
import { engine, sievec, sievecErrors } from './support.js';

describe('settings → Sieve → settings', () => {
  it('gives back the same vacation settings, and the script compiles', () => {
    fc.assert(
      fc.property(vacationSettings, (input) => {
        const v = validateVacation(input);
        expect(v.ok ? [] : v.problems).toEqual([]);
        if (!v.ok) return;
        // The canonical form is a fixed point.
        expect(validateVacation(v.settings)).toEqual(v);
        const script = generateScript([vacationRule(v.settings)]);
        expect(checkScript(script, engine).errors).toEqual([]);
        const back = readVacation(script);
        expect(back).toMatchObject({ ok: true, found: true, unknown: [], dialect: 'roundcube' });
        expect(back.ok && back.found && back.settings).toEqual(v.settings);
      }),
      { numRuns: 300 },
    );
  });

  it('gives back the same forward settings', () => {
    fc.assert(
      fc.property(forwardSettings, (s) => {
        const script = generateScript([forwardRule(s)]);
        expect(checkScript(script, engine).errors).toEqual([]);
        const back = readForward(script);
        expect(back.ok && back.found && back.settings).toEqual(s);
      }),
      { numRuns: 200 },
    );
  });

  it.skipIf(!sievec())(
    'generated settings compile in sievec',
    async () => {
      const scripts = fc
        .sample(vacationSettings, { numRuns: 30, seed: 4242 })
        .map((s) => generateScript([vacationRule(s)]));
      scripts.push(
        ...fc.sample(forwardSettings, { numRuns: 5, seed: 7 }).map((s) => generateScript([forwardRule(s)])),
      );
      expect(await sievecErrors(scripts)).toEqual([]);
    },
    120_000,
  );
});
