import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { errorsOf as compileErrors, holds as testHolds } from '../support/engine.js';
import { asciiNumeric } from '../../src/runtime/comparators.js';

const MESSAGE = 'X-Spam-Score: 300\r\nX-Text: none\r\nSubject: x\r\n\r\nbody\r\n';
const engine = new SieveEngine();

function errorsOf(script: string): string[] {
  return compileErrors(script, engine);
}

/** True when `test` holds, with the comparator and relational required. */
function holds(test: string): boolean {
  const req = 'require ["comparator-i;ascii-numeric", "relational", "variables"];\n';
  return testHolds(test, req, { engine, message: MESSAGE });
}

const NUM = ':comparator "i;ascii-numeric"';

describe('comparator-i;ascii-numeric', () => {
  it('must be required before use', () => {
    expect(errorsOf('if header :comparator "i;ascii-numeric" "x" "1" { keep; }')).toEqual([
      'comparator "i;ascii-numeric" used without require "comparator-i;ascii-numeric"',
    ]);
    expect(
      errorsOf(
        'require "comparator-i;ascii-numeric"; if header :comparator "i;ascii-numeric" "x" "1" { keep; }',
      ),
    ).toEqual([]);
    // The comparator name is case-insensitive.
    expect(
      errorsOf(
        'require "comparator-i;ascii-numeric"; if header :comparator "I;ASCII-NUMERIC" "x" "1" { keep; }',
      ),
    ).toEqual([]);
  });

  it('is advertised', () => {
    expect(engine.capabilities()).toContain('comparator-i;ascii-numeric');
  });

  it('refuses substring match types', () => {
    for (const mt of [':contains', ':matches']) {
      expect(
        errorsOf(`require "comparator-i;ascii-numeric"; if header ${mt} ${NUM} "x" "1" { keep; }`)[0],
      ).toMatch(/cannot be used with the :(contains|matches) match type/);
    }
  });

  it('compares by value with :is, ignoring leading zeros and trailing text', () => {
    expect(holds(`header :is ${NUM} "x-spam-score" "0300"`)).toBe(true);
    expect(holds(`header :is ${NUM} "x-spam-score" "30"`)).toBe(false);
    expect(holds(`string :is ${NUM} "7 dwarves" "007"`)).toBe(true);
    expect(holds(`string :is ${NUM} "0" "000"`)).toBe(true);
  });

  it('makes every string without leading digits equal and greater than any number', () => {
    expect(holds(`header :is ${NUM} "x-text" "other"`)).toBe(true);
    expect(holds(`string :is ${NUM} "" "a"`)).toBe(true);
    expect(holds(`string :is ${NUM} "a" "0"`)).toBe(false);
    expect(holds(`string :value "gt" ${NUM} "a" "99999999999999999999999999"`)).toBe(true);
    expect(holds(`string :value "le" ${NUM} "a" "0"`)).toBe(false);
    expect(holds(`string :value "le" ${NUM} "0" "a"`)).toBe(true);
  });

  it('orders numbers of any size', () => {
    expect(asciiNumeric.compare!('18446744073709551617', '18446744073709551616')).toBe(1);
    expect(asciiNumeric.compare!('002', '1')).toBe(1);
    expect(asciiNumeric.compare!('1', '002')).toBe(-1);
    expect(asciiNumeric.compare!('x', 'y')).toBe(0);
    expect(asciiNumeric.compare!('x', '5')).toBe(1);
    expect(asciiNumeric.compare!('5', 'x')).toBe(-1);
  });
});
