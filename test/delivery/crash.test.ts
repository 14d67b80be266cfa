import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOutbox } from '../../src/delivery/transport/index.js';
import { FileScriptStore } from '../../src/scripts/file-store.js';
import { listMail, tempDir } from './helpers.js';
import { runDeliver } from './run-deliver.js';

const RUNS = 30;

/**
 * kill -9 of `tamis deliver` at random moments, as a crashing machine or an OOM killer would, with
 * the MTA retrying each message until it gets exit 0. Afterwards: what was acknowledged is
 * complete in the Maildir, no partial file is ever visible in new/ or cur/, no vacation reply went
 * out twice, and every forward went out.
 */
describe('crash safety of tamis deliver', () => {
  it(`survives ${RUNS} kills at random points`, { timeout: 300_000 }, async () => {
    const data = tempDir();
    writeFileSync(join(data, 'users'), 'alice:{PLAIN}x::::::\n');
    const store = new FileScriptStore({ root: join(data, 'home') });
    await store.put(
      'alice',
      'main',
      Buffer.from(
        'require ["vacation", "copy", "fileinto", "mailbox"];\n' +
          'redirect :copy "fwd@example.com";\n' +
          'vacation :days 1 :from "alice@example.org" :handle "away" "I am away.";\n' +
          'if header :contains "subject" "odd" { fileinto :create "Odd"; }\n',
      ),
    );
    await store.setActive('alice', 'main');
    const maildir = join(data, 'home', 'alice', 'Maildir');
    const msg = (i: number) =>
      Buffer.from(
        `From: s${i}@example.net\r\nTo: alice@example.org\r\nSubject: ${i % 2 ? 'odd' : 'even'} ${i}\r\n` +
          `Message-ID: <m${i}@example.net>\r\n\r\n${'body line\r\n'.repeat(200 + i)}`,
      );
    const deliverArgs = (i: number) => ['--data', data, '-f', `s${i}@example.net`, '-a', 'alice@example.org'];
    const allMail = () => [
      ...listMail(maildir).map((n) => join(maildir, n)),
      ...listMail(maildir, '.Odd').map((n) => join(maildir, '.Odd', n)),
    ];
    const stored = (raw: Buffer) => allMail().filter((f) => readFileSync(f).equals(raw)).length;

    // How long one whole delivery takes here, so the kills spread over all of it.
    const t0 = Date.now();
    expect((await runDeliver(deliverArgs(RUNS), msg(RUNS))).code).toBe(0);
    const span = (Date.now() - t0) * 1.2;

    let killed = 0;
    for (let i = 0; i < RUNS; i++) {
      const first = await runDeliver(deliverArgs(i), msg(i), Math.random() * span);
      if (first.signal === 'SIGKILL') killed++;
      // Acknowledged means stored, whole.
      if (first.code === 0) expect(stored(msg(i))).toBeGreaterThanOrEqual(1);
      let code = first.code;
      for (let retry = 0; code !== 0 && retry < 5; retry++)
        code = (await runDeliver(deliverArgs(i), msg(i))).code;
      expect(code).toBe(0);
      // Nothing half-written is ever visible.
      const known = Array.from({ length: RUNS + 1 }, (_, j) => msg(j));
      for (const f of allMail())
        expect(
          known.some((m) => readFileSync(f).equals(m)),
          f,
        ).toBe(true);
    }
    expect(killed).toBeGreaterThan(RUNS / 3);

    // Drain what the killed processes left queued.
    const outbox = createOutbox({ dir: join(data, 'outbox') });
    await outbox.flush();
    await outbox.close();
    const sent = readdirSync(join(data, 'outbox', 'sent')).map((n) =>
      readFileSync(join(data, 'outbox', 'sent', n), 'latin1'),
    );
    for (let i = 0; i <= RUNS; i++) {
      expect(stored(msg(i)), `message ${i}`).toBeGreaterThanOrEqual(1);
      const replies = sent.filter(
        (m) => m.includes('Auto-Submitted: auto-replied') && m.includes(`<m${i}@example.net>`),
      );
      expect(replies.length, `vacation replies to ${i}`).toBeLessThanOrEqual(1);
      const forwards = sent.filter(
        (m) =>
          m.startsWith('X-Envelope-From: <s' + i + '@example.net>') &&
          m.includes(`Message-ID: <m${i}@example.net>`),
      );
      expect(forwards.length, `forwards of ${i}`).toBeGreaterThanOrEqual(1);
      expect(forwards.length, `forwards of ${i}`).toBeLessThanOrEqual(2);
    }
  });
});
