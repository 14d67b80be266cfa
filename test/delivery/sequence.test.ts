import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliver } from '../../src/delivery/deliver.js';
import { listMail, message, tempDir, testDeps } from './helpers.js';

const raw = (id: string) =>
  message([
    'From: carol@example.net',
    'To: alice@example.org',
    'Subject: hi',
    `Message-ID: <${id}@example.net>`,
  ]);
const rcpt = { sender: 'carol@example.net', recipient: 'alice@example.org' };

describe('the delivery sequence (before, personal, after)', () => {
  it('ends at a script that cancels the keep: a broken after-script it never reaches is not reported', async () => {
    const root = tempDir();
    const { deps, scripts } = testDeps(root, {
      after: [{ name: 'broken.sieve (global after)', source: 'frobnicate;' }],
    });
    scripts.set('alice', 'require ["fileinto", "mailbox"]; fileinto :create "Lists";');
    const lines: string[][] = [];
    deps.log = (l) => lines.push(l.errors);
    expect((await deliver(deps, { ...rcpt, message: raw('a1') })).kind).toBe('delivered');
    expect(listMail(join(root, 'alice', 'Maildir'), '.Lists')).toHaveLength(1);
    expect(lines).toEqual([[]]);
    // With the keep in force the sequence reaches it: its error is logged with its name, the message kept.
    scripts.set('alice', 'keep;');
    expect((await deliver(deps, { ...rcpt, message: raw('a2') })).kind).toBe('delivered');
    expect(listMail(join(root, 'alice', 'Maildir'))).toHaveLength(1);
    expect(lines[1]!.join('\n')).toMatch(/^broken\.sieve \(global after\):1:1: error: /);
  });

  it("keeps the message when the user's script fails at run time, naming the script in the error", async () => {
    const root = tempDir();
    const { deps, scripts, outbox } = testDeps(root, {
      before: [{ name: 'pass.sieve (global before)', source: 'keep;' }],
    });
    // Five redirects where the engine allows four: the run fails and none of them is sent.
    scripts.set('alice', ['a', 'b', 'c', 'd', 'e'].map((n) => `redirect "${n}@example.com";`).join('\n'));
    const errors: string[][] = [];
    deps.log = (l) => errors.push(l.errors);
    expect((await deliver(deps, { ...rcpt, message: raw('b1') })).kind).toBe('delivered');
    expect(listMail(join(root, 'alice', 'Maildir'))).toHaveLength(1);
    expect(outbox.sent).toEqual([]);
    expect(errors[0]!.join('\n')).toMatch(/^alice\.sieve:\d+:\d+: error: /);
  });
});
