import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';

const engine = new SieveEngine();
const MSG = Buffer.from('Subject: x\r\n\r\nbody\r\n');

function run(script: string) {
  return runScript(script, { engine, message: MSG, envelope: { from: '', to: 'u@example.com' } });
}

describe('ihave', () => {
  it('skips the block of an unknown capability without compiling it', () => {
    const r = run(
      'require "ihave";\nif ihave "x-nonsense" { nonsense_command "frop" :what; } else { discard; }',
    );
    expect(r.actions).toEqual([{ type: 'discard' }]);
  });

  it('enables a known capability inside the block without require', () => {
    const r = run('require "ihave";\nif ihave ["fileinto", "copy"] { fileinto :copy "Later"; }');
    expect(r.actions[0]).toMatchObject({ type: 'fileinto', mailbox: 'Later', copy: true });
  });

  it('refuses capabilities that change how the script is read', () => {
    const r = run(
      'require ["ihave", "fileinto"];\nif anyof (ihave "variables", ihave "encoded-character") { fileinto "bad"; }',
    );
    expect(r.actions.some((a) => a.type === 'fileinto')).toBe(false);
  });

  it('still requires the capability outside the guarded block', () => {
    const c = engine.compile('require "ihave";\nif ihave "x-nonsense" { frop; }\nfileinto "x";');
    expect(c.errors[0]!.message).toContain('require "fileinto"');
  });
});

describe('error', () => {
  it('fails the script with the message, keeping the message', () => {
    const r = run('require "ihave";\ndiscard;\nerror "Something failed.";');
    expect(r.status).toBe('error');
    expect(r.errors[0]!.message).toContain('Something failed.');
    expect(r.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
  });
});
