import { afterEach, describe, expect, it, vi } from 'vitest';
import { SieveEngine } from '../../src/engine.js';

const ENVELOPE = { from: 'a@example.org', to: 'b@example.net' };

function run(script: string, message: string) {
  const engine = new SieveEngine();
  const c = engine.compile(script);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const started = performance.now();
  const r = engine.run(c.program, Buffer.from(message), ENVELOPE);
  return { r, ms: performance.now() - started };
}

// Timings are only bounded loosely (a loaded machine); the quadratic versions take far longer.
describe('comparison cost is linear in the text compared', () => {
  afterEach(() => vi.restoreAllMocks());

  it('i;ascii-numeric: a 100,000-digit key against 10,000 fields', () => {
    let header = '';
    for (let i = 0; i < 10_000; i++) header += `X-N: ${'9'.repeat(i % 50)}${i}\r\n`;
    const key = '1'.repeat(100_000);
    const { r, ms } = run(
      `require ["comparator-i;ascii-numeric", "relational", "fileinto"];
       if header :comparator "i;ascii-numeric" :is "x-n" "${key}" { fileinto "equal"; }
       if header :comparator "i;ascii-numeric" :value "ge" "x-n" "${key}" { fileinto "greater"; }`,
      `${header}\r\nbody\r\n`,
    );
    expect(r.status).toBe('ok');
    expect(r.actions.map((a) => a.type)).toEqual(['keep']);
    expect(ms).toBeLessThan(2000);
  });

  it('i;unicode-casemap :contains folds a 400,000-character value once for 200 keys and tests', () => {
    const subject = 'Ça fait déjà ÉTÉ '.repeat(24_000);
    const keys = Array.from({ length: 200 }, (_, i) => `"zz${i}é"`).join(', ');
    const tests = Array.from(
      { length: 200 },
      (_, i) => `if header :comparator "i;unicode-casemap" :contains "subject" "zz${i}é" { discard; }`,
    ).join('\n');
    const normalize = vi.spyOn(String.prototype, 'normalize');
    const { r, ms } = run(
      `require ["comparator-i;unicode-casemap", "fileinto"];
       if header :comparator "i;unicode-casemap" :contains "subject" [${keys}, "DÉJÀ été"] { fileinto "found"; }
       ${tests}`,
      `Subject: ${subject}\r\n\r\nbody\r\n`,
    );
    expect(r.actions).toMatchObject([{ type: 'fileinto', mailbox: 'found' }]);
    // Keys are folded when compiled; the value once (NFKD, upper case, NFKD) for all 400 comparisons.
    const longCalls = normalize.mock.contexts.filter((s) => String(s).length > 100_000);
    expect(longCalls.length).toBeGreaterThan(0);
    expect(longCalls.length).toBeLessThanOrEqual(2);
    expect(ms).toBeLessThan(2000);
  });
});
