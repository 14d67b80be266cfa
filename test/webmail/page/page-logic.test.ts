import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diffLines } from '../../../src/webmail/page/diff.js';
import { offsetOf } from '../../../src/webmail/page/editor.js';
import { pickLanguage } from '../../../src/webmail/page/i18n.js';
import { zoneOffsetAt } from '../../../src/autoresponder/dates.js';
import { isoToLocal, localToIso } from '../../../src/webmail/page/zoned-time.js';

const PAGE = new URL('../../../src/webmail/page/', import.meta.url);
const strings = (lang: string) =>
  JSON.parse(readFileSync(new URL(`i18n/${lang}.json`, PAGE), 'utf8')) as Record<string, string>;

describe('zoned date-times', () => {
  it('writes the offset the zone has at that date, across DST', () => {
    expect(localToIso('2026-12-21T00:00', 'Europe/Paris')).toBe('2026-12-21T00:00:00+01:00');
    expect(localToIso('2026-07-01T09:30', 'Europe/Paris')).toBe('2026-07-01T09:30:00+02:00');
    expect(localToIso('2026-03-08T01:59', 'America/New_York')).toBe('2026-03-08T01:59:00-05:00');
    expect(localToIso('2026-03-08T03:00', 'America/New_York')).toBe('2026-03-08T03:00:00-04:00');
    expect(localToIso('2026-06-01T12:00', 'Asia/Kolkata')).toBe('2026-06-01T12:00:00+05:30');
  });

  it('moves a wall time inside a DST gap to just after it', () => {
    // 02:30 does not exist in Paris on 29 March 2026.
    expect(localToIso('2026-03-29T02:30', 'Europe/Paris')).toBe('2026-03-29T03:30:00+02:00');
  });

  it('refuses text that is not a date-time', () => {
    for (const bad of ['', 'tomorrow', '2026-12-21', '2026-12-21T25:99x']) {
      expect(localToIso(bad, 'UTC')).toBeNull();
    }
    expect(isoToLocal('not a date', 'UTC')).toBeNull();
  });

  it('reads back what it wrote, in any zone, for any minute of 2000-2099', () => {
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1) / 60000, max: Date.UTC(2099, 11, 31) / 60000 }),
        fc.constantFrom(...zones),
        (minute, zone) => {
          const ms = minute * 60000;
          const local = isoToLocal(new Date(ms).toISOString(), zone)!;
          const iso = localToIso(local, zone)!;
          // An hour repeated by a DST change may come back as its other instance; the wall time holds.
          expect(isoToLocal(iso, zone)).toBe(local);
          expect(Math.abs(Date.parse(iso) - ms)).toBeLessThanOrEqual(
            Math.abs(zoneOffsetAt(zone, ms)) * 60000 + 3600000,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('line diff', () => {
  it('marks removed and added lines and keeps the rest', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'add', text: 'B' },
      { kind: 'del', text: 'b' },
      { kind: 'same', text: 'c' },
      { kind: 'add', text: 'd' },
    ]);
  });

  it('rebuilds both sides from the rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('x', 'y', 'z', ''), { maxLength: 30 }),
        fc.array(fc.constantFrom('x', 'y', 'w'), { maxLength: 30 }),
        (a, b) => {
          const rows = diffLines(a.join('\n'), b.join('\n'));
          expect(rows.filter((r) => r.kind !== 'add').map((r) => r.text)).toEqual(a.join('\n').split('\n'));
          expect(rows.filter((r) => r.kind !== 'del').map((r) => r.text)).toEqual(b.join('\n').split('\n'));
        },
      ),
    );
  });
});

describe('editor positions', () => {
  it('finds 1-based line and column, clamped to the line', () => {
    const text = 'require "x";\nif true {\n  stop\n}';
    expect(offsetOf(text, 1, 1)).toBe(0);
    expect(offsetOf(text, 2, 4)).toBe(16);
    expect(text[offsetOf(text, 3, 3)]).toBe('s');
    expect(offsetOf(text, 3, 99)).toBe(text.indexOf('\n}'));
    expect(offsetOf(text, 9, 1)).toBe(text.length);
  });
});

describe('languages', () => {
  it('prefers the stored choice, then the browser list, then English', () => {
    expect(pickLanguage(null, ['fr-FR', 'en'])).toBe('fr');
    expect(pickLanguage('en', ['fr-FR'])).toBe('en');
    expect(pickLanguage(null, ['de-DE', 'FR-ca'])).toBe('fr');
    expect(pickLanguage('xx', ['de'])).toBe('en');
  });

  it('has a French text for every English one, with the same placeholders', () => {
    const en = strings('en');
    const fr = strings('fr');
    for (const [key, text] of Object.entries(en)) {
      expect(fr[key], key).toBeTypeOf('string');
      const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(vars(fr[key]!), key).toEqual(vars(text));
    }
  });

  it('uses in the code only keys that exist', () => {
    const en = strings('en');
    const fr = strings('fr');
    const sources = ['app', 'dialog', 'editor', 'filters', 'forward', 'messages', 'test-message', 'vacation'];
    for (const f of sources) {
      const code = readFileSync(new URL(`${f}.ts`, PAGE), 'utf8');
      for (const m of code.matchAll(/\bt\('([\w.-]+)'/g))
        expect(en[m[1]!] ?? fr[m[1]!], `${f}: ${m[1]}`).toBeDefined();
    }
  });
});
