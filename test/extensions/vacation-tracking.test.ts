import { describe, expect, it } from 'vitest';
import { SieveEngine, type Effect, type VacationQuery } from '../../src/index.js';

const MSG = Buffer.from('From: a@example.com\r\nTo: u@example.org\r\nSubject: hi\r\n\r\nbody\r\n');
const ENV = { from: 'a@example.com', to: 'u@example.org' };
const SCRIPT = 'require "vacation"; vacation :days 2 :handle "away" "Out of office.";';

function program(engine: SieveEngine, source = SCRIPT) {
  const c = engine.compile(source);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  return c.program;
}

/** Vacation tracking as a host keeps it: queried by runs, written only from committed effects. */
function tracker() {
  const sent = new Map<string, number>();
  const id = (user: string, sender: string, handle: string) => `${user}\0${sender}\0${handle}`;
  let now = 0;
  return {
    asked: [] as VacationQuery[],
    tick(seconds: number) {
      now += seconds;
    },
    vacationReplied(q: VacationQuery) {
      this.asked.push(q);
      const at = sent.get(id(q.user, q.sender, q.handle));
      return at !== undefined && now - at < q.seconds;
    },
    commit(effects: Effect[]) {
      for (const e of effects) if (e.type === 'vacation') sent.set(id(e.user, e.sender, e.handle), now);
    },
  };
}

describe('vacation response tracking', () => {
  const engine = new SieveEngine();

  it('returns a vacation effect for a reply to send, and nothing is remembered by the engine', () => {
    const r = engine.run(program(engine), MSG, ENV);
    expect(r.actions[0]).toMatchObject({ type: 'vacation', to: 'a@example.com' });
    expect(r.effects).toEqual([
      { type: 'vacation', user: 'u@example.org', handle: 'away', sender: 'a@example.com', seconds: 172800 },
    ]);
    // Without a host record, the same run replies again.
    expect(engine.run(program(engine), MSG, ENV).effects).toHaveLength(1);
  });

  it('asks the host, and suppresses the reply within the period once the effect is committed', () => {
    const t = tracker();
    const host = { vacationReplied: (q: VacationQuery) => t.vacationReplied(q) };
    const first = engine.run(program(engine), MSG, ENV, { host, user: 'u1' });
    expect(t.asked).toEqual([{ user: 'u1', sender: 'a@example.com', handle: 'away', seconds: 172800 }]);
    // Not committed (the message was not stored): still due.
    expect(engine.run(program(engine), MSG, ENV, { host, user: 'u1' }).actions[0]).toMatchObject({
      to: 'a@example.com',
    });
    t.commit(first.effects);
    t.tick(3600);
    const again = engine.run(program(engine), MSG, ENV, { host, user: 'u1' });
    expect(again.actions[0]).toMatchObject({ type: 'vacation' });
    expect(again.actions[0]).not.toHaveProperty('to');
    expect((again.actions[0] as { suppressed: string }).suppressed).toMatch(
      /reply was sent to <a@example.com>/,
    );
    expect(again.effects).toEqual([]);
    // Another user's records say nothing about this one.
    expect(engine.run(program(engine), MSG, ENV, { host, user: 'u2' }).effects).toHaveLength(1);
    t.tick(2 * 86400);
    expect(engine.run(program(engine), MSG, ENV, { host, user: 'u1' }).effects).toHaveLength(1);
  });

  it('does not ask when RFC 5230 forbids a reply anyway, and gives no effect on an error', () => {
    const t = tracker();
    const host = { vacationReplied: (q: VacationQuery) => t.vacationReplied(q) };
    const r = engine.run(program(engine), MSG, { ...ENV, from: '' }, { host });
    expect(t.asked).toEqual([]);
    expect(r.effects).toEqual([]);
    const failing = program(
      engine,
      'require ["vacation", "variables"]; vacation "Away."; set "a" "x"; redirect "${a}";',
    );
    const e = engine.run(failing, MSG, ENV, { host });
    expect(e.status).toBe('error');
    expect(e.effects).toEqual([]);
  });

  it('awaits an asynchronous answer with runAsync', async () => {
    const host = { vacationReplied: () => Promise.resolve(true) };
    const r = await engine.runAsync(program(engine), MSG, ENV, { host });
    expect(r.status).toBe('ok');
    expect(r.effects).toEqual([]);
    expect(engine.run(program(engine), MSG, ENV, { host }).status).toBe('error');
  });

  it('records one effect for a sequence whose second vacation is dropped', () => {
    const scripts = [
      { name: 'before', program: program(engine) },
      { name: 'personal', program: program(engine, 'require "vacation"; vacation "Other text.";') },
    ];
    const r = engine.runSequence(scripts, MSG, ENV);
    expect(r.actions.filter((a) => a.type === 'vacation')).toHaveLength(1);
    expect(r.effects).toHaveLength(1);
  });
});
