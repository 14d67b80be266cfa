import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';

const engine = new SieveEngine();
const host = {
  mailboxExists: (n: string) => ['INBOX', 'Spam', 'Sent'].includes(n),
  specialUseMailboxes: (flag: string) => (flag === '\\Junk' ? ['Spam'] : []),
};

function run(script: string) {
  return runScript(`require ["special-use", "fileinto", "variables"];\n${script}`, {
    engine,
    message: 'Subject: x\r\n\r\n',
    envelope: { from: '', to: 'u@x' },
    options: { host },
  });
}

describe('special-use', () => {
  it('asks the host which mailboxes carry an attribute', () => {
    const t = (test: string) => run(`if ${test} { discard; }`).actions[0]!.type === 'discard';
    expect(t('specialuse_exists "\\\\Junk"')).toBe(true);
    expect(t('specialuse_exists ["\\\\Junk", "\\\\Sent"]')).toBe(false);
    expect(t('specialuse_exists "Spam" "\\\\Junk"')).toBe(true);
    expect(t('specialuse_exists "INBOX" "\\\\Junk"')).toBe(false);
    expect(t('specialuse_exists "Nowhere" "\\\\Junk"')).toBe(false);
  });

  it('records :specialuse on fileinto, also from a variable', () => {
    expect(run('fileinto :specialuse "\\\\Junk" "Spam";').actions[0]).toMatchObject({
      mailbox: 'Spam',
      specialUse: '\\Junk',
    });
    expect(run('set "u" "\\\\Junk"; fileinto :specialuse "${u}" "Spam";').actions[0]).toMatchObject({
      specialUse: '\\Junk',
    });
    const bad = run('set "u" "Junk"; fileinto :specialuse "${u}" "Spam";');
    expect(bad.status).toBe('error');
  });

  it('refuses malformed flags at compile time', () => {
    const errs = (s: string) => engine.compile(`require ["special-use", "fileinto"];\n${s}`).errors.length;
    expect(errs('fileinto :specialuse "frop" "x";')).toBe(1);
    expect(errs('if specialuse_exists "\\\\a b" {}')).toBe(1);
    expect(errs('if specialuse_exists ["a", "b"] "\\\\Junk" {}')).toBe(1);
    expect(
      engine.compile('require "fileinto";\nfileinto :specialuse "\\\\Junk" "x";').errors[0]!.message,
    ).toContain('require "special-use"');
  });
});
