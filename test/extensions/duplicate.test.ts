import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { memoryDuplicateStore } from '../../src/extensions/duplicate.js';
import type { DuplicateQuery } from '../../src/runtime/host.js';

const engine = new SieveEngine();
const msg = (id: string) => Buffer.from(`Message-ID: ${id}\r\nX-Frop: abc\r\nSubject: x\r\n\r\nbody\r\n`);

type Store = ReturnType<typeof memoryDuplicateStore>;

/** Runs the test; the host commits the run's marks afterwards, as after a stored delivery. */
function dup(test: string, message: Buffer, store: Store | ((q: DuplicateQuery) => boolean), to = 'u@x') {
  const c = engine.compile(`require ["duplicate", "fileinto"];\nif ${test} { fileinto "dup"; }`);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const seen = typeof store === 'function' ? store : store.seen;
  const r = engine.run(c.program, message, { from: '', to }, { host: { duplicateSeen: seen } });
  if (typeof store !== 'function') store.commit(r.effects);
  return r.actions.some((a) => a.type === 'fileinto');
}

describe('duplicate', () => {
  it('sees the second delivery of a Message-ID, per handle', () => {
    const t = memoryDuplicateStore();
    expect(dup('duplicate', msg('<1@x>'), t)).toBe(false);
    expect(dup('duplicate', msg('<1@x>'), t)).toBe(true);
    expect(dup('duplicate :handle "other"', msg('<1@x>'), t)).toBe(false);
    expect(dup('duplicate', msg('<2@x>'), t)).toBe(false);
  });

  it('uses :header or :uniqueid as the ID and answers alike within one run', () => {
    const calls: DuplicateQuery[] = [];
    const t = (q: DuplicateQuery) => {
      calls.push(q);
      return false;
    };
    const c = engine.compile(
      'require ["duplicate", "fileinto"];\nif duplicate :uniqueid "abc" :seconds 60 :last {}\nif duplicate :header "x-frop" {}\nif duplicate :uniqueid "abc" {}',
    );
    const r = engine.run(c.program!, msg('<1@x>'), { from: '', to: 'u@x' }, { host: { duplicateSeen: t } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ user: 'u@x', seconds: 60 });
    expect(r.effects).toEqual([
      { type: 'duplicate', user: 'u@x', key: calls[0]!.key, seconds: 60, last: true },
    ]);
  });

  it('expires records and caps :seconds at the configured maximum', () => {
    let now = 0;
    const t = memoryDuplicateStore(() => now);
    const q = { user: 'u', key: 'k', seconds: 10 };
    expect(t.seen(q)).toBe(false);
    t.commit([{ type: 'duplicate', ...q, last: false }]);
    now = 5000;
    expect(t.seen(q)).toBe(true);
    now = 11000;
    expect(t.seen(q)).toBe(false);
    const seen: number[] = [];
    dup('duplicate :seconds 999999999', msg('<3@x>'), (dq) => (seen.push(dq.seconds), false));
    expect(seen).toEqual([engine.config.duplicate.maxPeriod]);
  });

  it("keeps each user's records apart and makes no mark by itself", () => {
    const t = memoryDuplicateStore();
    expect(dup('duplicate', msg('<9@x>'), t, 'alice@x')).toBe(false);
    expect(dup('duplicate', msg('<9@x>'), t, 'bob@x')).toBe(false);
    expect(dup('duplicate', msg('<9@x>'), t, 'alice@x')).toBe(true);
    // Without a host store nothing is remembered between runs, even in one engine.
    expect(dup('duplicate', msg('<10@x>'), () => false)).toBe(false);
    const c = engine.compile('require "duplicate";\nif duplicate {}');
    engine.run(c.program!, msg('<11@x>'), { from: '', to: 'u@x' });
    const again = engine.run(c.program!, msg('<11@x>'), { from: '', to: 'u@x' });
    expect(again.effects).toHaveLength(1);
    // The run's user overrides the envelope recipient.
    const r = engine.run(c.program!, msg('<11@x>'), { from: '', to: 'u@x' }, { user: 'carol' });
    expect(r.effects[0]).toMatchObject({ user: 'carol' });
  });

  it('is false without a Message-ID and refuses bad tags', () => {
    expect(dup('duplicate', Buffer.from('Subject: x\r\n\r\n'), () => true)).toBe(false);
    expect(
      engine.compile('require "duplicate";\nif duplicate :header "a" :uniqueid "b" {}').errors,
    ).toHaveLength(1);
    expect(engine.compile('require "duplicate";\nif duplicate :seconds "a" {}').errors).toHaveLength(1);
  });
});
