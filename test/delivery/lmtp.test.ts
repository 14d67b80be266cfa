import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryLogger } from '../../src/app/delivery-log.js';
import { startLmtp, type StartedLmtp } from '../../src/app/lmtp.js';
import { FileScriptStore } from '../../src/scripts/file-store.js';
import { listMail, readMail, tempDir } from './helpers.js';

const hasPython = spawnSync('python3', ['-c', 'import smtplib']).status === 0;
let data: string;
let lmtp: StartedLmtp;
let store: FileScriptStore;
const maildir = (user: string, folder = '') => [join(data, 'home', user, 'Maildir'), folder] as const;

beforeAll(async () => {
  data = tempDir();
  writeFileSync(
    join(data, 'users'),
    ['alice', 'bob', 'carol', 'dave', 'erin'].map((u) => `${u}:{PLAIN}x::::::\n`).join(''),
  );
  store = new FileScriptStore({ root: join(data, 'home') });
  lmtp = await startLmtp(
    {
      dataDir: data,
      maxMessageSize: 100_000,
      lmtp: { listen: '127.0.0.1:0' },
      logFile: join(data, 'lmtp.log'),
    },
    deliveryLogger(join(data, 'lmtp.log'), 'lmtp'),
  );
});
afterAll(() => lmtp?.close());

/** Runs a Python smtplib.LMTP client (asynchronously: the server runs in this process); returns what it printed. */
function python(code: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', `import smtplib, json\ns = smtplib.LMTP('127.0.0.1', ${lmtp.port})\n${code}`],
      { encoding: 'utf8' },
      (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(JSON.parse(stdout))),
    );
  });
}

/**
 * Sends raw protocol text in one write (Postfix-style pipelining); resolves with every reply line
 * after the greeting once `finals` replies have come after the 354.
 */
function pipelined(text: string, finals: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = connect(lmtp.port!, '127.0.0.1');
    let buf = '';
    let sent = false;
    sock.setTimeout(10_000, () => reject(new Error(`no complete answer: ${buf}`)));
    sock.on('data', (d) => {
      buf += d.toString();
      if (!sent && buf.includes('\r\n')) {
        sent = true;
        sock.write(text);
      }
      const got = buf.split('\r\n').filter((l) => l);
      const data = got.findIndex((l) => l.startsWith('354'));
      if (data >= 0 && got.length - data - 1 >= finals) {
        sock.end('QUIT\r\n');
        resolve(got.slice(1));
      }
    });
    sock.on('error', reject);
  });
}

describe('tamis lmtp', () => {
  it.skipIf(!hasPython)(
    'answers each recipient after DATA: 250 for users, 550 5.1.1 for an unknown one (smtplib)',
    async () => {
      const refused = await python(
        "r = s.sendmail('x@example.net', ['alice@example.org', 'ghost@example.org', 'bob@example.org'], b'Subject: multi\\r\\n\\r\\nhi\\r\\n')\n" +
          'print(json.dumps({k: [v[0], v[1].decode()] for k, v in r.items()}))',
      );
      expect(refused).toEqual({ 'ghost@example.org': [550, "5.1.1 <ghost@example.org> User doesn't exist"] });
      expect(await readMail(...maildir('alice'))).toEqual(['Subject: multi\r\n\r\nhi\r\n']);
      expect(listMail(...maildir('bob'))).toHaveLength(1);
    },
  );

  it.skipIf(!hasPython)('advertises PIPELINING, ENHANCEDSTATUSCODES, 8BITMIME and SIZE', async () => {
    const features = (await python(
      's.ehlo()\nprint(json.dumps(sorted(s.esmtp_features.keys())))',
    )) as string[];
    expect(features).toEqual(
      expect.arrayContaining(['pipelining', 'enhancedstatuscodes', '8bitmime', 'size']),
    );
  });

  it('takes a pipelined transaction and gives one reply per accepted recipient', async () => {
    const replies = await pipelined(
      'LHLO mta.example.org\r\nMAIL FROM:<x@example.net>\r\nRCPT TO:<carol@example.org>\r\nRCPT TO:<nope@example.org>\r\n' +
        'RCPT TO:<dave@example.org>\r\nDATA\r\nSubject: piped\r\n\r\nbody\r\n.\r\n',
      2,
    );
    expect(replies.filter((l) => !l.startsWith('250-'))).toEqual([
      expect.stringMatching(/^250 SIZE/),
      '250 2.1.0 Accepted',
      '250 2.1.5 Accepted',
      "550 5.1.1 <nope@example.org> User doesn't exist",
      '250 2.1.5 Accepted',
      expect.stringMatching(/^354 /),
      '250 2.6.0 <carol@example.org> Saved',
      '250 2.6.0 <dave@example.org> Saved',
    ]);
    expect(listMail(...maildir('carol'))).toHaveLength(1);
  });

  it('defers a recipient given twice in one transaction, and the retry stores nothing again', async () => {
    const message = 'Subject: twice\r\nMessage-ID: <dup-rcpt@example.net>\r\n\r\nbody\r\n.\r\n';
    const replies = await pipelined(
      'LHLO mta.example.org\r\nMAIL FROM:<x@example.net>\r\nRCPT TO:<erin@example.org>\r\n' +
        'RCPT TO:<erin@example.org>\r\nDATA\r\n' +
        message,
      1,
    );
    expect(replies.filter((l) => !l.startsWith('250-')).slice(2)).toEqual([
      '250 2.1.5 Accepted',
      expect.stringMatching(/^452 .*<erin@example\.org> Duplicate recipient/),
      expect.stringMatching(/^354 /),
      '250 2.6.0 <erin@example.org> Saved',
    ]);
    // The MTA sends the deferred one again on its own: answered, not stored twice.
    const again = await pipelined(
      'LHLO mta.example.org\r\nMAIL FROM:<x@example.net>\r\nRCPT TO:<erin@example.org>\r\nDATA\r\n' + message,
      1,
    );
    expect(again.at(-1)).toMatch(/^250 2\.6\.0 /);
    expect(listMail(...maildir('erin'))).toHaveLength(1);
  });

  it('serves concurrent connections (nodemailer in LMTP mode)', async () => {
    const sends = Array.from({ length: 8 }, (_, i) => {
      const t = nodemailer.createTransport({
        lmtp: true,
        host: '127.0.0.1',
        port: lmtp.port,
        ignoreTLS: true,
      });
      return t
        .sendMail({
          envelope: { from: 'x@example.net', to: ['dave@example.org'] },
          raw: `Subject: parallel ${i}\r\nMessage-ID: <p${i}@example.net>\r\n\r\nbody ${i}\r\n`,
        })
        .finally(() => t.close());
    });
    const results = await Promise.all(sends);
    expect(results.every((r) => r.accepted.length === 1)).toBe(true);
    const subjects = (await readMail(...maildir('dave'))).map((m) => /Subject: (.*)/.exec(m)?.[1]);
    for (let i = 0; i < 8; i++) expect(subjects).toContain(`parallel ${i}`);
  });

  it('keeps mail in INBOX under a broken script, and runs a script changed over ManageSieve at once', async () => {
    const send = (subject: string) =>
      nodemailer
        .createTransport({ lmtp: true, host: '127.0.0.1', port: lmtp.port, ignoreTLS: true })
        .sendMail({
          envelope: { from: 'x@example.net', to: ['bob@example.org'] },
          raw: `Subject: ${subject}\r\n\r\nx\r\n`,
        });
    await store.put('bob', 'main', Buffer.from('require "fileinto";\nfileinto "A" "B";\n'));
    await store.setActive('bob', 'main');
    expect((await send('broken')).accepted).toEqual(['bob@example.org']);
    expect((await readMail(...maildir('bob'))).some((m) => m.includes('Subject: broken'))).toBe(true);
    await store.put(
      'bob',
      'main',
      Buffer.from('require ["fileinto", "mailbox"];\nfileinto :create "One";\n'),
    );
    await send('first');
    await store.put(
      'bob',
      'main',
      Buffer.from('require ["fileinto", "mailbox"];\nfileinto :create "Two";\n'),
    );
    await send('second');
    expect((await readMail(...maildir('bob', '.One'))).map((m) => m.split('\r\n')[0])).toEqual([
      'Subject: first',
    ]);
    expect((await readMail(...maildir('bob', '.Two'))).map((m) => m.split('\r\n')[0])).toEqual([
      'Subject: second',
    ]);
  });

  it('refuses an oversized message with 552 for every recipient, storing nothing', async () => {
    const body = 'x'.repeat(120_000);
    const replies = await pipelined(
      `LHLO m\r\nMAIL FROM:<x@example.net>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\nSubject: big\r\n\r\n${body}\r\n.\r\n`,
      2,
    );
    expect(replies.filter((l) => l.startsWith('552'))).toHaveLength(2);
    expect(replies.at(-1)).toMatch(/^552 5\.3\.4 /);
    const all = [...(await readMail(...maildir('alice'))), ...(await readMail(...maildir('carol')))];
    expect(all.some((m) => m.includes('Subject: big'))).toBe(false);
  });
});
