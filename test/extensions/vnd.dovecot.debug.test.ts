import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';

describe('vnd.dovecot.debug', () => {
  const engine = new SieveEngine();
  const c = engine.compile(
    'require ["vnd.dovecot.debug", "variables"];\nset "a" "x";\ndebug_log "value ${a}";',
  );

  it('hands expanded lines to the host logger', () => {
    const lines: string[] = [];
    const r = engine.run(
      c.program!,
      Buffer.from('\r\n'),
      { from: '', to: 'u@x' },
      { host: { log: (m) => lines.push(m) } },
    );
    expect(lines).toEqual(['value x']);
    expect(r.status).toBe('ok');
  });

  it('does nothing without a logger', () => {
    const r = engine.run(c.program!, Buffer.from('\r\n'), { from: '', to: 'u@x' });
    expect(r).toMatchObject({ status: 'ok', actions: [{ type: 'keep', implicit: true }] });
  });
});
