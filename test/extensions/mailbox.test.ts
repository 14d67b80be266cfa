import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';

const ENVELOPE = { from: 'sender@example.org', to: 'rcpt@example.com' };
const MESSAGE = Buffer.from('From: a@example.org\r\nSubject: mailbox\r\n\r\nbody\r\n');
const engine = new SieveEngine();

/** Runs a script against a store holding `existing`; returns the actions and the names asked about. */
function run(script: string, existing: string[]) {
  const asked: string[] = [];
  const mailboxExists = (name: string) => {
    asked.push(name);
    return existing.includes(name);
  };
  const r = runScript(script, {
    engine,
    message: MESSAGE,
    envelope: ENVELOPE,
    options: { host: { mailboxExists } },
  });
  return { ...r, asked };
}

const REQ = 'require ["mailbox", "fileinto", "variables", "encoded-character"];\n';

describe('mailboxexists', () => {
  const box = (test: string, existing: string[]) =>
    run(`${REQ}if ${test} { fileinto "yes"; } else { fileinto "no"; }`, existing).actions[0];

  it('is true only when every named mailbox exists', () => {
    expect(box('mailboxexists "frop"', [])).toMatchObject({ mailbox: 'no' });
    expect(box('mailboxexists ["frop", "friep", "frml"]', ['frop', 'friep'])).toMatchObject({
      mailbox: 'no',
    });
    expect(box('mailboxexists ["frop"]', ['frop', 'friep'])).toMatchObject({ mailbox: 'yes' });
    expect(box('mailboxexists ["frop", "friep"]', ['frop', 'friep'])).toMatchObject({ mailbox: 'yes' });
  });

  it('asks the host with names expanded from variables', () => {
    const r = run(`${REQ}set "b" "Archive/2024"; if mailboxexists "\${b}" { fileinto "yes"; }`, [
      'Archive/2024',
    ]);
    expect(r.asked).toEqual(['Archive/2024']);
    expect(r.actions[0]).toMatchObject({ mailbox: 'yes' });
  });

  it('is false for a name that cannot be a mailbox, without asking the host or failing', () => {
    const r = run(`${REQ}set "m" "\${hex:ff}rop"; if mailboxexists "\${m}" { fileinto "yes"; }`, [
      '\uFFFDrop',
    ]);
    expect(r.status).toBe('ok');
    expect(r.asked).toEqual([]);
    expect(r.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
  });

  it('warns at compile time about a constant invalid name', () => {
    const c = engine.compile(`${REQ}if mailboxexists ["frop", "\${hex:ff}riep"] { keep; }`);
    expect(c.errors).toEqual([]);
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]!.message).toMatch(/^mailboxexists: invalid .*"\uFFFDriep".*the test will be false$/);
  });

  it('the default host says every mailbox exists', () => {
    const c = engine.compile(`${REQ}if mailboxexists "x" { discard; }`);
    expect(engine.run(c.program!, MESSAGE, ENVELOPE).actions).toEqual([{ type: 'discard' }]);
  });
});

describe(':create', () => {
  it('marks the fileinto so the host creates a missing mailbox', () => {
    const r = run(`${REQ}fileinto :create "New/Box";`, []);
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'New/Box', create: true }]);
  });

  it('combines with :copy and :flags', () => {
    const c = engine.compile(
      'require ["mailbox", "fileinto", "copy", "imap4flags"]; fileinto :create :copy :flags "\\\\Seen" "A";',
    );
    expect(c.errors).toEqual([]);
    const r = engine.run(c.program!, MESSAGE, ENVELOPE);
    expect(r.actions).toEqual([
      { type: 'fileinto', mailbox: 'A', copy: true, create: true, flags: ['\\Seen'] },
      { type: 'keep', mailbox: 'INBOX', implicit: true },
    ]);
  });

  it('a later store without :create keeps the merged store creating', () => {
    const r = run(`${REQ}fileinto :create "A"; fileinto "A";`, []);
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'A', create: true }]);
  });
});

describe('syntax', () => {
  const errors = (s: string) => engine.compile(s).errors.map((e) => e.message);
  it('needs require "mailbox"', () => {
    expect(errors('require "fileinto"; fileinto :create "a";')).toEqual([
      'tag :create of fileinto command used without require "mailbox"',
    ]);
    expect(errors('if mailboxexists "a" { keep; }')[0]).toMatch(/require "mailbox"/);
  });

  it('refuses wrong argument shapes', () => {
    for (const bad of [
      'if mailboxexists { keep; }',
      'if mailboxexists 3423 { keep; }',
      'if mailboxexists :frop { keep; }',
      'if mailboxexists "frop" ["frop"] { keep; }',
      'fileinto :create 343 "frop";',
      'fileinto :create "${hex:ff}rop";',
      'fileinto :create "a" "b";',
    ]) {
      expect(errors(`${REQ}${bad}`).length, bad).toBeGreaterThan(0);
    }
  });
});
