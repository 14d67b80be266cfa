import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  array,
  boolean,
  checkSetting,
  map,
  number,
  object,
  oneOf,
  optional,
  string,
  type SettingIn,
  type SettingOut,
} from '../../src/settings/schema.js';

const server = object({
  port: number({ integer: true, min: 1, max: 65535, default: 4190, doc: 'Port.' }),
  name: optional(string()),
  secure: boolean({ default: true }),
  mode: oneOf(['a', 'b'], { default: 'a' }),
  tags: array(string({ check: (s) => (s ? null : 'expected a non-empty string') })),
  weights: map(number()),
  inner: object({ depth: number({ default: 3 }) }),
});

describe('settings schema builder', () => {
  it('derives the resolved type and the input type', () => {
    expectTypeOf<SettingOut<typeof server>>().toEqualTypeOf<{
      port: number;
      name?: string;
      secure: boolean;
      mode: 'a' | 'b';
      tags: string[];
      weights: Record<string, number>;
      inner: { depth: number };
    }>();
    expectTypeOf<SettingIn<typeof server>>().toEqualTypeOf<{
      port?: number;
      name?: string;
      secure?: boolean;
      mode?: 'a' | 'b';
      tags?: string[];
      weights?: Record<string, number>;
      inner?: { depth?: number };
    }>();
  });

  it('collects the defaults, leaving optional keys out', () => {
    expect(server.default).toEqual({
      port: 4190,
      secure: true,
      mode: 'a',
      tags: [],
      weights: {},
      inner: { depth: 3 },
    });
    expect('name' in server.default!).toBe(false);
  });

  it('reports every problem at once, in document order', () => {
    expect(
      checkSetting(
        server,
        {
          portt: 1,
          port: 70000,
          secure: 'yes',
          mode: 'c',
          tags: ['x', ''],
          weights: { 'a b': '1' },
          inner: { depht: 1 },
          zzz: null,
        },
        'srv',
      ),
    ).toEqual([
      'srv.portt: unknown setting; did you mean port?',
      'srv.port: expected an integer from 1 to 65535, got 70000',
      'srv.secure: expected true or false, got "yes"',
      'srv.mode: expected one of "a", "b", got "c"',
      'srv.tags[1]: expected a non-empty string, got ""',
      'srv.weights."a b": expected a number, got "1"',
      'srv.inner.depht: unknown setting; did you mean depth?',
      'srv.zzz: unknown setting',
    ]);
  });

  it('refuses a non-object where an object is expected, and keys of the prototype', () => {
    expect(checkSetting(server, [], 'srv')).toEqual(['srv: expected an object, got an array']);
    expect(checkSetting(server, { inner: null }, 'srv')).toEqual(['srv.inner: expected an object, got null']);
    expect(checkSetting(server, JSON.parse('{"__proto__": 1, "toString": 2}'), 'srv')).toEqual([
      'srv.__proto__: unknown setting',
      'srv.toString: unknown setting',
    ]);
  });

  it('requires a key that has neither a default nor optional', () => {
    const s = object({ host: string(), port: optional(number()) });
    expect(checkSetting(s, {}, 'x')).toEqual(['x.host: missing (expected a string)']);
    expect(checkSetting(s, { host: 'h' }, 'x')).toEqual([]);
    expect(array(number({ integer: true, min: 0 })).expected).toBe('an array of integers >= 0');
    expect(map(string({ expected: 'a header field name' })).expected).toBe('an object of header field names');
  });

  it('accepts a valid value and an empty one', () => {
    expect(checkSetting(server, {}, 'srv')).toEqual([]);
    expect(checkSetting(server, { name: 'x', tags: ['a'], weights: { w: 0.5 } }, 'srv')).toEqual([]);
  });
});
