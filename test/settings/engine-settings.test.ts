import { describe, expect, expectTypeOf, it } from 'vitest';
import { defaultConfig, engineSettings, resolveConfig, type ConfigInput } from '../../src/config.js';
import type { EngineConfig } from '../../src/extensions/types.js';
import { checkSetting, type SettingIn, type SettingOut } from '../../src/settings/schema.js';

// The defaults as they were written out by hand before the settings were declared per extension.
const BEFORE: EngineConfig = {
  maxActions: 32,
  maxRedirects: 4,
  maxScriptSize: 1024 * 1024,
  maxNesting: 32,
  maxVariables: 255,
  maxVariableSize: 4096,
  maxMatchValues: 100,
  maxMatchIndex: 32,
  maxVariableNameLength: 64,
  vacation: {
    minPeriod: 24 * 3600,
    maxPeriod: 90 * 24 * 3600,
    defaultPeriod: 7 * 24 * 3600,
    useOriginalRecipient: false,
    checkRecipient: true,
    sendFromRecipient: false,
    toHeaderIgnoreEnvelope: false,
  },
  spamtest: {
    header: 'X-Spamd-Result',
    type: 'score',
    pattern: '\\[\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*/\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*\\]',
    max: 15,
  },
  virustest: {
    header: 'X-Spamd-Result',
    type: 'text',
    pattern: '(?:^|[\\s;])([A-Za-z0-9_]*_VIRUS)\\(',
    max: 5,
    textValues: { clean: 1, '*': 5 },
    unmatched: 'clean',
  },
  recipientDelimiter: '+',
  redirectEnvelopeFrom: 'sender',
  disabled: [],
  maxCpuTime: 30,
  maxBodySize: 4 * 1024 * 1024,
  maxMimeParts: 1000,
  maxMimeDepth: 32,
  include: { maxIncludes: 255, maxIncludeDepth: 10 },
  editheader: { maxHeaderSize: 2048, forbidAdd: [], forbidDelete: [] },
  duplicate: { defaultPeriod: 14 * 24 * 3600, maxPeriod: 30 * 24 * 3600 },
  environment: {},
  notify: { maxNotifications: 10, mailtoEnvelopeFrom: '' },
  extlists: { lists: {}, hostLists: [] },
};

const check = (v: unknown) => checkSetting(engineSettings, v, 'engine');

describe('engine settings schema', () => {
  it('gives the types EngineConfig and ConfigInput describe', () => {
    expectTypeOf<SettingOut<typeof engineSettings>>().toEqualTypeOf<EngineConfig>();
    expectTypeOf<ConfigInput>().toMatchTypeOf<SettingIn<typeof engineSettings>>();
  });

  it('assembles the same defaults as before, in the same key order', () => {
    expect(defaultConfig).toEqual(BEFORE);
    expect(Object.keys(defaultConfig)).toEqual(Object.keys(BEFORE));
    expect(resolveConfig()).toEqual(BEFORE);
    expect(check(defaultConfig)).toEqual([]);
  });

  it('reports every problem with its path, what was expected and what was given', () => {
    expect(check({ maxRedirect: 15, vacation: { minPeriod: 'abc' } })).toEqual([
      'engine.maxRedirect: unknown setting; did you mean maxRedirects?',
      'engine.vacation.minPeriod: expected an integer >= 0, got "abc"',
    ]);
  });

  it('refuses negative limits, fractions, values out of range and unknown choices', () => {
    expect(
      check({
        maxActions: -1,
        maxNesting: 2.5,
        spamtest: { type: 'percent', textValues: { ham: 11 } },
        virustest: { max: -5 },
        maxCpuTime: Number.NaN,
      }),
    ).toEqual([
      'engine.maxActions: expected an integer >= 0, got -1',
      'engine.maxNesting: expected an integer >= 1, got 2.5',
      'engine.spamtest.type: expected one of "score", "strlen", "text", got "percent"',
      'engine.spamtest.textValues.ham: expected a number from 0 to 10, got 11',
      'engine.virustest.max: expected a number >= 0, got -5',
      'engine.maxCpuTime: expected a number >= 0, got NaN',
    ]);
  });

  it('checks what each extension declares: patterns, field names, list names, array items', () => {
    expect(
      check({
        spamtest: { pattern: '([0-9]+' },
        editheader: { forbidAdd: ['x-ok', 'bad name:'] },
        extlists: { hostLists: ['not a uri'], lists: { ':addrbook:friends': ['a@example.com', 3] } },
        disabled: 'vacation',
        environment: { location: 1 },
      }),
    ).toEqual([
      'engine.spamtest.pattern: expected a valid regular expression, got "([0-9]+"',
      'engine.editheader.forbidAdd[1]: expected a header field name, got "bad name:"',
      'engine.extlists.hostLists[0]: expected a list name (a URI without "?"), got "not a uri"',
      'engine.extlists.lists.":addrbook:friends"[1]: expected a string, got 3',
      'engine.disabled: expected an array of strings, got "vacation"',
      'engine.environment.location: expected a string, got 1',
    ]);
  });

  it('accepts user-named keys in maps and the optional settings', () => {
    expect(
      check({
        environment: { 'vnd.example.x': 'v' },
        vacation: { defaultSubject: 'Away' },
        userEmail: 'me@example.com',
        virustest: { textValues: { infected: 5 } },
      }),
    ).toEqual([]);
  });
});
