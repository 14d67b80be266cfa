import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliver, deliveryKey } from '../../src/delivery/deliver.js';
import { TemporaryDeliveryError } from '../../src/delivery/ports.js';
import { hasDovecot, listMail, message, readMail, tempDir, testDeps, withDoveadm } from './helpers.js';

const spam = (score: string) => `X-Spamd-Result: default: False [${score} / 15.00]`;
const plain = (subject: string, extra: string[] = []) =>
  message([
    ...extra,
    'From: carol@example.net',
    'To: alice@example.org',
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, '')}@example.net>`,
  ]);

describe('delivery core', () => {
  it('stores into INBOX without a script, and refuses unknown users', async () => {
    const root = tempDir();
    const { deps } = testDeps(root);
    const raw = plain('hello');
    expect(
      await deliver(deps, { message: raw, sender: 'carol@example.net', recipient: 'alice@example.org' }),
    ).toEqual({
      kind: 'delivered',
      detail: 'Saved',
    });
    expect(await readMail(join(root, 'alice', 'Maildir'))).toEqual([raw.toString('latin1')]);
    const out = await deliver(deps, { message: raw, sender: 'c@x', recipient: 'nobody@example.org' });
    expect(out.kind).toBe('unknown-user');
  });

  it('files mail scored 4.50 into Junk, 4.49 into INBOX, and ignores a spoofed score', async () => {
    const root = tempDir();
    const { deps } = testDeps(root);
    const md = join(root, 'alice', 'Maildir');
    const rcpt = { sender: 'c@example.net', recipient: 'alice' };
    await deliver(deps, { ...rcpt, message: plain('junk', [spam('4.50'), 'Received: from a by mx']) });
    await deliver(deps, { ...rcpt, message: plain('ham', [spam('4.49'), 'Received: from a by mx']) });
    await deliver(deps, { ...rcpt, message: plain('spoofed', ['Received: from a by mx', spam('9.00')]) });
    expect(listMail(md, '.Junk')).toHaveLength(1);
    expect((await readMail(md, '.Junk'))[0]).toContain('Subject: junk');
    expect((await readMail(md)).map((m) => /Subject: (\w+)/.exec(m)![1]).sort()).toEqual(['ham', 'spoofed']);
  });

  it('keeps mail in INBOX when the personal script is broken, and tells the user in .dovecot.sieve.log', async () => {
    const root = tempDir();
    const { deps, scripts } = testDeps(root);
    scripts.set('alice', 'require "fileinto";\nfileinto "A" "B";\n');
    const out = await deliver(deps, { message: plain('broken'), sender: 'c@x', recipient: 'alice' });
    expect(out.kind).toBe('delivered');
    expect(listMail(join(root, 'alice', 'Maildir'))).toHaveLength(1);
    const log = readFileSync(join(root, 'alice', '.dovecot.sieve.log'), 'utf8');
    expect(log).toMatch(/alice\.sieve:2:14: error: the fileinto command/);
    // A run-time error: the script's own actions are dropped, the message is kept.
    scripts.set(
      'alice',
      'require ["fileinto", "variables"];\nset "a" "x";\nfileinto "Nope";\nredirect "z@x";\nredirect "y@x";\nredirect "w@x";\nredirect "v@x";\nredirect "u@x";\n',
    );
    const { deps: d2, outbox } = testDeps(root, {
      activeScript: async () => ({
        name: 'x',
        source: 'redirect "a@x"; redirect "b@x"; redirect "c@x"; redirect "d@x"; redirect "e@x";',
      }),
    });
    expect((await deliver(d2, { message: plain('limit'), sender: 'c@x', recipient: 'alice' })).kind).toBe(
      'delivered',
    );
    expect(outbox.sent).toEqual([]);
    expect(listMail(join(root, 'alice', 'Maildir'))).toHaveLength(2);
  });

  it('answers a sender once per period, recording the reply only after the message is stored', async () => {
    const root = tempDir();
    const { deps, outbox, scripts } = testDeps(root);
    scripts.set('alice', 'require "vacation";\nvacation :days 1 :from "alice@example.org" "Away.";\n');
    const req = { sender: 'carol@example.net', recipient: 'alice@example.org' };
    // The first attempt cannot store: no reply goes out, and none is remembered.
    const failing = {
      ...deps,
      mailboxes: () => ({
        exists: async () => true,
        store: async () => {
          throw new TemporaryDeliveryError('disk full');
        },
      }),
    };
    expect((await deliver(failing, { ...req, message: plain('one') })).kind).toBe('tempfail');
    expect(outbox.sent).toEqual([]);
    expect((await deliver(deps, { ...req, message: plain('one') })).kind).toBe('delivered');
    expect(outbox.sent).toHaveLength(1);
    expect(outbox.sent[0]).toMatchObject({
      kind: 'vacation',
      from: '',
      to: ['carol@example.net'],
      user: 'alice',
    });
    expect(outbox.sent[0]!.message.toString()).toContain('Auto-Submitted: auto-replied');
    expect((await deliver(deps, { ...req, message: plain('two') })).kind).toBe('delivered');
    expect(outbox.sent).toHaveLength(1);
    expect(listMail(join(root, 'alice', 'Maildir'))).toHaveLength(2);
  });

  it('marks duplicates only for stored messages', async () => {
    const root = tempDir();
    const { deps, scripts } = testDeps(root);
    scripts.set('alice', 'require "duplicate";\nif duplicate { discard; stop; }\n');
    const failing = {
      ...deps,
      mailboxes: () => ({
        exists: async () => true,
        store: async () => {
          throw new TemporaryDeliveryError('disk full');
        },
      }),
    };
    const req = { sender: 'c@x', recipient: 'alice', message: plain('dup') };
    expect((await deliver(failing, req)).kind).toBe('tempfail');
    expect((await deliver(deps, req)).kind).toBe('delivered');
    // Same Message-ID, different bytes: a duplicate, discarded.
    const again = plain('dup', ['X-Extra: 1']);
    expect((await deliver(deps, { ...req, message: again })).kind).toBe('delivered');
    expect(listMail(join(root, 'alice', 'Maildir'))).toHaveLength(1);
  });

  it('stores and sends nothing twice when the MTA retries after a temporary failure', async () => {
    const root = tempDir();
    const { deps, outbox, scripts } = testDeps(root);
    scripts.set('alice', 'require "copy";\nredirect :copy "dave@example.com";\n');
    const req = { sender: 'c@x', recipient: 'alice@example.org', message: plain('retry') };
    outbox.fail = true;
    expect((await deliver(deps, req)).kind).toBe('tempfail');
    expect(listMail(join(root, 'alice', 'Maildir'))).toHaveLength(1);
    outbox.fail = false;
    expect((await deliver(deps, req)).kind).toBe('delivered');
    expect(await deliver(deps, req)).toEqual({ kind: 'delivered', detail: 'Saved (already delivered)' });
    expect(listMail(join(root, 'alice', 'Maildir'))).toHaveLength(1);
    expect(outbox.sent.map((m) => [m.kind, m.to])).toEqual([['redirect', ['dave@example.com']]]);
    expect(outbox.sent[0]!.message.toString()).toMatch(/^X-Sieve-Redirected-From: <alice@example.org>\r\n/);
  });

  it('after a crash in mid-send, sends a forward again but never a second vacation reply', async () => {
    const root = tempDir();
    const { deps, outbox, stores, scripts } = testDeps(root);
    scripts.set(
      'alice',
      'require ["vacation", "copy"];\nredirect :copy "dave@example.com";\nvacation :from "alice@example.org" :handle "h" "Away.";\n',
    );
    const req = { sender: 'carol@example.net', recipient: 'alice@example.org', message: plain('crash') };
    // What a process killed while queueing both leaves behind: the store done, both sends pending.
    await stores.deliveries.put(
      deliveryKey(req.recipient, req.message),
      {
        stored: ['INBOX#1'],
        sent: ['?redirect:dave@example.com', '?vacation:carol@example.net:h'],
        done: false,
      },
      new Date(),
    );
    expect((await deliver(deps, req)).kind).toBe('delivered');
    expect(outbox.sent.map((m) => m.kind)).toEqual(['redirect']);
    expect(listMail(join(root, 'alice', 'Maildir'))).toEqual([]);
  });

  it('records a store whose final record could not be written, so the retry does not store it again', async () => {
    const root = tempDir();
    const { deps, stores } = testDeps(root);
    const put = stores.deliveries.put.bind(stores.deliveries);
    let failDone = true;
    // The final record (done) fails once, as a full disk would; the record of the store goes through.
    stores.deliveries.put = async (key, record, now) => {
      if (record.done && failDone) {
        failDone = false;
        throw new Error('database or disk is full');
      }
      return put(key, record, now);
    };
    const req = { sender: 'c@x', recipient: 'alice@example.org', message: plain('final') };
    expect((await deliver(deps, req)).kind).toBe('tempfail');
    const saved = await stores.deliveries.get(deliveryKey(req.recipient, req.message));
    expect(saved).toMatchObject({ done: false, stored: [expect.stringMatching(/^INBOX/)] });
    expect((await deliver(deps, req)).kind).toBe('delivered');
    expect(listMail(join(root, 'alice', 'Maildir'))).toHaveLength(1);
  });

  it('turns a store that cannot answer into a temporary failure, storing nothing', async () => {
    const root = tempDir();
    const { deps, stores, scripts } = testDeps(root);
    scripts.set('alice', 'require "duplicate";\nif duplicate { discard; }\n');
    stores.duplicates.seen = async () => {
      throw new Error('database is locked');
    };
    const out = await deliver(deps, { sender: 'c@x', recipient: 'alice', message: plain('x') });
    expect(out.kind).toBe('tempfail');
    expect(listMail(join(root, 'alice', 'Maildir'))).toEqual([]);
  });

  it('refuses with the reason on reject, storing nothing', async () => {
    const root = tempDir();
    const { deps, scripts } = testDeps(root);
    scripts.set('alice', 'require "reject";\nreject "Not from you.";\n');
    expect(await deliver(deps, { sender: 'c@x', recipient: 'alice', message: plain('r') })).toEqual({
      kind: 'rejected',
      detail: 'Not from you.',
    });
    expect(listMail(join(root, 'alice', 'Maildir'))).toEqual([]);
  });

  it('falls back to INBOX for a missing folder and delivers +detail to its folder', async () => {
    const root = tempDir();
    const { deps, scripts } = testDeps(root, { detailMailbox: true });
    const md = join(root, 'alice', 'Maildir');
    scripts.set('alice', 'require "fileinto";\nif header :contains "subject" "x" { fileinto "Missing"; }\n');
    await deliver(deps, { sender: 'c@x', recipient: 'alice', message: plain('x') });
    expect(listMail(md)).toHaveLength(1);
    scripts.set(
      'alice',
      'require ["fileinto", "mailbox"];\nif header :contains "subject" "mk" { fileinto :create "lists"; stop; }\n',
    );
    await deliver(deps, { sender: 'c@x', recipient: 'alice', message: plain('mk') });
    await deliver(deps, { sender: 'c@x', recipient: 'alice+lists@example.org', message: plain('detail') });
    expect(listMail(md, '.lists')).toHaveLength(2);
  });

  it.skipIf(!hasDovecot)('writes what Dovecot reads: folders, non-ASCII names and flags', async () => {
    const root = tempDir();
    const { deps, scripts } = testDeps(root);
    scripts.set(
      'alice',
      'require ["fileinto", "mailbox", "imap4flags"];\n' +
        'if header :contains "subject" "report" { fileinto :create :flags ["\\\\Seen", "\\\\Flagged"] "Entwürfe/Berichte"; stop; }\n',
    );
    const rcpt = { sender: 'c@example.net', recipient: 'alice@example.org' };
    await deliver(deps, { ...rcpt, message: plain('report') });
    await deliver(deps, { ...rcpt, message: plain('inbox') });
    await deliver(deps, { ...rcpt, message: plain('spam', [spam('7.00'), 'Received: from a by mx']) });
    const out = await withDoveadm(join(root, 'alice', 'Maildir'), (fetch) =>
      fetch('mailbox flags hdr.subject'),
    );
    // Dovecot's Maildir++ separator is '.'; \Recent is Dovecot's own marker for new mail.
    expect(out).toContain(
      'mailbox: Entwürfe.Berichte\nflags: \\Flagged \\Seen \\Recent\nhdr.subject: report',
    );
    expect(out).toContain('mailbox: INBOX\nflags: \\Recent\nhdr.subject: inbox');
    expect(out).toContain('mailbox: Junk\nflags: \\Recent\nhdr.subject: spam');
  });
});
