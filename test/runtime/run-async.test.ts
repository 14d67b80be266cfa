import { describe, expect, it } from 'vitest';
import { SieveEngine, TempFailError } from '../../src/index.js';

const MSG = Buffer.from('From: a@example.com\r\nMessage-ID: <1@x>\r\nSubject: hi\r\n\r\nbody\r\n');
const ENV = { from: 'a@example.com', to: 'u@example.org' };

function compiled(engine: SieveEngine, source: string) {
  const c = engine.compile(source);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  return c.program;
}

describe('runAsync', () => {
  const engine = new SieveEngine();
  const script = 'require ["mailbox", "fileinto"];\nif mailboxexists "Lists" { fileinto "Lists"; }';

  it('awaits host queries that answer with a Promise, each asked once', async () => {
    const asked: string[] = [];
    const host = {
      mailboxExists: (name: string) => {
        asked.push(name);
        return Promise.resolve(name === 'Lists');
      },
    };
    const r = await engine.runAsync(compiled(engine, script), MSG, ENV, { host });
    expect(r.status).toBe('ok');
    expect(r.actions.map((a) => a.type)).toEqual(['fileinto']);
    expect(asked).toEqual(['Lists']);
  });

  it('gives the same result as run when the host answers at once', async () => {
    const host = { mailboxExists: (name: string) => name === 'Lists' };
    const program = compiled(engine, script);
    expect(await engine.runAsync(program, MSG, ENV, { host })).toEqual(
      engine.run(program, MSG, ENV, { host }),
    );
  });

  it('ends with tempfail when a query fails temporarily, sync or async', async () => {
    const program = compiled(engine, script);
    const thrown = {
      mailboxExists: (): boolean => {
        throw new TempFailError('store down');
      },
    };
    const rejected = { mailboxExists: () => Promise.reject(new TempFailError('store down')) };
    const sync = engine.run(program, MSG, ENV, { host: thrown });
    expect(sync.status).toBe('tempfail');
    expect(sync.effects).toEqual([]);
    const later = await engine.runAsync(program, MSG, ENV, { host: rejected });
    expect(later.status).toBe('tempfail');
    expect(later.errors[0]!.message).toContain('store down');
    // Any other failure of the host is a run-time error: the message is kept.
    const broken = await engine.runAsync(program, MSG, ENV, {
      host: { mailboxExists: () => Promise.reject(new Error('bug')) },
    });
    expect(broken).toMatchObject({ status: 'error', actions: [{ type: 'keep', implicit: true }] });
  });

  it('refuses a Promise in a synchronous run with a clear error', () => {
    const r = engine.run(compiled(engine, script), MSG, ENV, {
      host: { mailboxExists: () => Promise.resolve(true) },
    });
    expect(r.status).toBe('error');
    expect(r.errors[0]!.message).toMatch(/mailboxexists answered asynchronously \(use runAsync\)/);
  });

  it('returns duplicate marks as effects keyed by user, after awaiting the check', async () => {
    const program = compiled(engine, 'require "duplicate";\nif duplicate { discard; }');
    const users: string[] = [];
    const r = await engine.runAsync(program, MSG, ENV, {
      host: { duplicateSeen: (q) => (users.push(q.user), Promise.resolve(false)) },
    });
    expect(users).toEqual(['u@example.org']);
    expect(r.effects).toMatchObject([{ type: 'duplicate', user: 'u@example.org', last: false }]);
    expect(r.actions.map((a) => a.type)).toEqual(['keep']);
  });
});
