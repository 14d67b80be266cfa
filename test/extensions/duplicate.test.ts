import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { memoryDuplicateTracker } from '../../src/extensions/duplicate.js';

const engine = new SieveEngine();
const msg = (id: string) => Buffer.from(`Message-ID: ${id}\r\nX-Frop: abc\r\nSubject: x\r\n\r\nbody\r\n`);

function dup(test: string, message: Buffer, tracker: (k: string, s: number, l: boolean) => boolean) {
  const c = engine.compile(`require ["duplicate", "fileinto"];\nif ${test} { fileinto "dup"; }`);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const r = engine.run(c.program, message, { from: '', to: 'u@x' }, { host: { duplicateSeen: tracker } });
  return r.actions.some((a) => a.type === 'fileinto');
}

describe('duplicate', () => {
  it('sees the second delivery of a Message-ID, per handle', () => {
    const t = memoryDuplicateTracker();
    expect(dup('duplicate', msg('<1@x>'), t)).toBe(false);
    expect(dup('duplicate', msg('<1@x>'), t)).toBe(true);
    expect(dup('duplicate :handle "other"', msg('<1@x>'), t)).toBe(false);
    expect(dup('duplicate', msg('<2@x>'), t)).toBe(false);
  });

  it('uses :header or :uniqueid as the ID and answers alike within one run', () => {
    const calls: Array<[string, number, boolean]> = [];
    const t = (k: string, s: number, l: boolean) => {
      calls.push([k, s, l]);
      return false;
    };
    const c = engine.compile(
      'require ["duplicate", "fileinto"];\nif duplicate :uniqueid "abc" :seconds 60 :last {}\nif duplicate :header "x-frop" {}\nif duplicate :uniqueid "abc" {}',
    );
    engine.run(c.program!, msg('<1@x>'), { from: '', to: 'u@x' }, { host: { duplicateSeen: t } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(1)).toEqual([60, true]);
  });

  it('expires records and caps :seconds at the configured maximum', () => {
    let now = 0;
    const t = memoryDuplicateTracker(() => now);
    expect(t('k', 10, false)).toBe(false);
    now = 5000;
    expect(t('k', 10, false)).toBe(true);
    now = 11000;
    expect(t('k', 10, false)).toBe(false);
    const seen: number[] = [];
    dup('duplicate :seconds 999999999', msg('<3@x>'), (_k, s) => (seen.push(s), false));
    expect(seen).toEqual([engine.config.duplicate.maxPeriod]);
  });

  it('is false without a Message-ID and refuses bad tags', () => {
    expect(dup('duplicate', Buffer.from('Subject: x\r\n\r\n'), () => true)).toBe(false);
    expect(
      engine.compile('require "duplicate";\nif duplicate :header "a" :uniqueid "b" {}').errors,
    ).toHaveLength(1);
    expect(engine.compile('require "duplicate";\nif duplicate :seconds "a" {}').errors).toHaveLength(1);
  });
});
