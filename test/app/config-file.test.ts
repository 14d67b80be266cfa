import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  checkConfig,
  configSections,
  declareConfigSection,
  loadConfig,
  loadManageSieveConfig,
} from '../../src/app/index.js';
import { parseJsonText } from '../../src/app/json-text.js';
import { settings } from '../../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tamis-config-'));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('loadConfig', () => {
  it('returns the sections as written, with managesieve paths taken from the file folder', () => {
    const file = write(
      'ok.json',
      JSON.stringify({
        engine: { maxActions: 3 },
        managesieve: {
          dataDir: 'data',
          tls: { cert: 'c.pem', key: '/abs/k.pem' },
          limits: { maxConnections: 9 },
        },
      }),
    );
    expect(loadConfig(file)).toEqual({
      engine: { maxActions: 3 },
      managesieve: {
        dataDir: path.join(dir, 'data'),
        tls: { cert: path.join(dir, 'c.pem'), key: '/abs/k.pem' },
        limits: { maxConnections: 9 },
      },
    });
  });

  it('takes a flat file as the section asked for, and only when asked', () => {
    const file = write('flat.json', '{"maxActions": 3}');
    const warnings: string[] = [];
    expect(loadConfig(file, { flat: 'engine', warn: (m) => warnings.push(m) })).toEqual({
      engine: { maxActions: 3 },
    });
    expect(warnings).toEqual([
      `config ${file}: engine settings at the top level are deprecated; put them under "engine"`,
    ]);
    expect(problems(() => loadConfig(file))).toEqual([
      '"maxActions": unknown section (sections: engine, managesieve, delivery, webmail)',
    ]);
    // Once one key names a section, the file is read by sections.
    expect(
      problems(() => checkConfig({ engine: {}, maxActions: 3 }, 'x', dir, { flat: 'engine' })),
    ).toHaveLength(1);
  });

  it('moves the engine limits out of an old managesieve file', async () => {
    const file = write('old.json', '{"maxRedirects": 2, "quota": {"maxScriptSize": 500, "maxScripts": 4}}');
    expect(loadConfig(file, { flat: 'managesieve' })).toEqual({
      engine: { maxRedirects: 2, maxScriptSize: 500 },
      managesieve: { quota: { maxScripts: 4 } },
    });
    // 0 meant unlimited for the store: the engine keeps its default.
    const zero = write('zero.json', '{"quota": {"maxScriptSize": 0}}');
    expect(loadConfig(zero, { flat: 'managesieve' })).toEqual({ managesieve: { quota: {} } });
    expect(await loadManageSieveConfig(file)).toEqual({
      maxRedirects: 2,
      quota: { maxScripts: 4, maxScriptSize: 500 },
    });
  });

  it('checks the managesieve section: types, ranges, listen addresses, moved keys', () => {
    expect(
      problems(() =>
        checkConfig(
          {
            managesieve: {
              listen: '127.0.0.1:70000',
              limits: { maxConnections: -1, idleTimeout: 5 },
              authThrottle: { windowMs: '15m' },
              tls: { implicit: 'yes' },
              maxRedirects: 3,
            },
          },
          'x',
          dir,
        ),
      ),
    ).toEqual([
      'managesieve.listen: expected HOST:PORT, [IPv6]:PORT or :PORT, got "127.0.0.1:70000"',
      'managesieve.limits.maxConnections: expected an integer >= 0, got -1',
      'managesieve.limits.idleTimeout: unknown setting; did you mean idleTimeoutMs?',
      'managesieve.authThrottle.windowMs: expected an integer >= 0, got "15m"',
      'managesieve.tls.implicit: expected true or false, got "yes"',
      'managesieve.maxRedirects: moved to engine.maxRedirects (one limit, named once)',
    ]);
  });

  it('refuses a top level that is not an object', () => {
    expect(problems(() => loadConfig(write('arr.json', '[1]')))).toEqual([
      'expected a JSON object at the top level, got an array',
    ]);
  });

  it('lets a part declare its section, once', () => {
    const name = 'test-section';
    declareConfigSection({
      name,
      settings: settings.object({ port: settings.number({ integer: true, min: 1 }) }),
    });
    expect(configSections().map((s) => s.name)).toContain(name);
    expect(checkConfig({ [name]: { port: 25 } }, 'x', dir)).toEqual({ [name]: { port: 25 } });
    expect(problems(() => checkConfig({ [name]: { port: 0 } }, 'x', dir))).toEqual([
      `${name}.port: expected an integer >= 1, got 0`,
    ]);
    expect(() => declareConfigSection({ name, settings: settings.object({}) })).toThrow(/twice/);
  });
});

describe('parseJsonText', () => {
  const where = (text: string): string => {
    try {
      parseJsonText(text);
      return 'valid';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('says at which line and column the text goes wrong', () => {
    expect(where('{\n  "a": 1,\n}')).toBe(
      'not valid JSON at line 3, column 1: expected a key in double quotes, got "}"',
    );
    expect(where('{"a": 1 "b": 2}')).toBe(
      'not valid JSON at line 1, column 9: expected "," or "}", got "\\""',
    );
    expect(where('{"a": tru}')).toBe('not valid JSON at line 1, column 7: expected a value, got "t"');
    expect(where('{"a": "x\ny"}')).toMatch(/^not valid JSON at line 1, column 9: control character/);
    expect(where('{"a": [1, 2')).toBe(
      'not valid JSON at line 1, column 12: expected "," or "]", got end of text',
    );
    expect(where('{} x')).toBe(
      'not valid JSON at line 1, column 4: unexpected "x" after the end of the value',
    );
    expect(where('')).toBe('not valid JSON at line 1, column 1: expected a value, got end of text');
    expect(where('{"a": 01}')).toBe('not valid JSON at line 1, column 8: expected "," or "}", got "1"');
  });

  it('parses valid text as JSON.parse does, a byte order mark aside', () => {
    expect(parseJsonText('\ufeff{"a": [1, "\\u00e9", null, true]}')).toEqual({ a: [1, 'é', null, true] });
    expect(where('{"a": 1e5, "b": -0.5, "c": "\\n"}')).toBe('valid');
  });
});
