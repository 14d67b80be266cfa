import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/index.js';

const MSG = Buffer.from('From: a@example.com\r\nTo: u@example.org\r\nSubject: hi\r\n\r\nbody\r\n');
const ENV = { from: 'a@example.com', to: 'u@example.org' };

describe('run context (RFC 6785)', () => {
  const engine = new SieveEngine();

  it.each([
    ['vacation', 'require "vacation"; vacation "away";'],
    ['reject', 'require "reject"; reject "no";'],
    ['ereject', 'require "ereject"; ereject "no";'],
  ])('refuses %s in an IMAP event at compile time, with a code', (name, source) => {
    const imap = engine.compile(source, { context: 'imap' });
    expect(imap.program).toBeNull();
    expect(imap.failedAt).toBe('validate');
    expect(imap.errors).toEqual([
      expect.objectContaining({ code: 'not-in-context', line: 1, message: expect.stringContaining(name) }),
    ]);
    // The same text compiles for a delivery (the cache keeps the two apart).
    expect(engine.compile(source).program).not.toBeNull();
    expect(engine.compile(source, { context: 'imap' }).program).toBeNull();
  });

  it('allows what makes sense on a stored message: fileinto, redirect, discard, flags, notify', () => {
    const source = [
      'require ["fileinto", "copy", "imap4flags", "enotify", "editheader"];',
      'addflag "\\\\Seen"; addheader "X-Seen" "1"; fileinto :copy "Archive"; redirect :copy "b@example.org";',
      'notify "mailto:c@example.org"; discard;',
    ].join('\n');
    const c = engine.compile(source, { context: 'imap' });
    expect(c.errors).toEqual([]);
    const r = engine.run(c.program!, MSG, ENV, { context: 'imap' });
    expect(r.status).toBe('ok');
    expect(r.actions.map((a) => a.type)).toEqual(['fileinto', 'redirect', 'notify', 'discard']);
  });

  it('refuses a vacation in an included script too', async () => {
    const c = await engine.compileAsync('require "include"; include "away";', {
      context: 'imap',
      loadScript: () => 'require "vacation"; vacation "away";',
    });
    expect(c.program).toBeNull();
    expect(c.errors[0]!.message).toContain('vacation cannot be used in a script run by an IMAP event');
  });

  it('fails the envelope test at run time in an IMAP event', () => {
    const c = engine.compile('require "envelope"; if envelope "from" "a@example.com" { discard; }', {
      context: 'imap',
    });
    const r = engine.run(c.program!, MSG, ENV, { context: 'imap' });
    expect(r.status).toBe('error');
    expect(r.errors[0]!.message).toMatch(/envelope test cannot be used in an IMAP event/);
    expect(r.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
    const d = engine.compile('require "envelope"; if envelope "from" "a@example.com" { discard; }');
    expect(engine.run(d.program!, MSG, ENV).actions).toEqual([{ type: 'discard' }]);
  });

  it('runs a program only in the context it was compiled for', () => {
    const delivery = engine.compile('keep;').program!;
    const imap = engine.compile('keep;', { context: 'imap' }).program!;
    expect(engine.run(delivery, MSG, ENV, { context: 'imap' }).status).toBe('error');
    expect(engine.run(imap, MSG, ENV).errors[0]!.message).toMatch(/compiled for imap/);
    expect(engine.run(imap, MSG, ENV, { context: 'imap' }).status).toBe('ok');
    const seq = engine.runSequence([{ name: 'a', program: delivery }], MSG, ENV, { context: 'imap' });
    expect(seq.errors[0]).toMatchObject({ script: 'a' });
  });
});
