import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';

const MSG = Buffer.from('Subject: x\r\n\r\nbody\r\n');

function yes(
  test: string,
  opts: { engine?: SieveEngine; env?: (item: string) => string | null; req?: string } = {},
) {
  const engine = opts.engine ?? new SieveEngine();
  const c = engine.compile(
    `require ["${opts.req ?? 'environment'}", "fileinto", "relational", "variables"];\nif ${test} { fileinto "yes"; }`,
  );
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const r = engine.run(
    c.program,
    MSG,
    { from: '', to: 'u@example.com' },
    { host: opts.env ? { environment: opts.env } : {} },
  );
  return r.actions.some((a) => a.type === 'fileinto');
}

describe('environment', () => {
  it('names this engine and reports its phase and location', () => {
    expect(yes('environment "name" "tamis"')).toBe(true);
    expect(yes('environment :matches "version" "*.*.*"')).toBe(true);
    expect(yes('environment "phase" "during"')).toBe(true);
    expect(yes('environment "location" "MDA"')).toBe(true);
  });

  it('takes items from the host first, then from the configuration', () => {
    const env = (item: string) => (item === 'remote-ip' ? '192.0.2.7' : null);
    expect(yes('environment "remote-ip" "192.0.2.7"', { env })).toBe(true);
    const engine = new SieveEngine({
      config: { environment: { location: 'MTA', 'remote-host': 'mx.example' } },
    });
    expect(yes('environment "location" "MTA"', { engine })).toBe(true);
    expect(yes('environment "remote-host" "mx.example"', { engine })).toBe(true);
    expect(yes('environment "location" "MS"', { engine, env: (i) => (i === 'location' ? 'MS' : null) })).toBe(
      true,
    );
  });

  it('never matches an unknown item, not even with :count', () => {
    expect(yes('environment :contains "nonsense" ""')).toBe(false);
    expect(yes('environment :count "eq" "nonsense" "0"')).toBe(false);
    expect(yes('environment :count "eq" "name" "1"')).toBe(true);
  });

  it('hides vnd.dovecot items unless vnd.dovecot.environment is required', () => {
    expect(yes('environment "vnd.dovecot.default-mailbox" "INBOX"')).toBe(false);
    expect(yes('environment "vnd.dovecot.default-mailbox" "INBOX"', { req: 'vnd.dovecot.environment' })).toBe(
      true,
    );
    expect(
      yes('string "${env.vnd.dovecot.default_mailbox}" "INBOX"', { req: 'vnd.dovecot.environment' }),
    ).toBe(true);
  });
});
