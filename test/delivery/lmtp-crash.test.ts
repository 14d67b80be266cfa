import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../cli/run-cli.js';
import { freePort } from '../managesieve/helpers/dovecot.js';
import { listMail, tempDir } from './helpers.js';
import { lmtpSend, sleep } from './lmtp-client.js';

const ROOT = join(import.meta.dirname, '../..');
const KILLS = 6;
const MESSAGES = 60;

/** `tamis lmtp` on `port`, resolved once it answers. */
async function startLmtp(data: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...cliCommand(), 'lmtp', '--data', data, '--listen', `127.0.0.1:${port}`],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  for (let i = 0; i < 200; i++) {
    try {
      await lmtpSend(port, 'probe@example.net', [], Buffer.from(''));
      return child;
    } catch {
      await sleep(50);
    }
  }
  child.kill('SIGKILL');
  throw new Error('tamis lmtp did not start');
}

/**
 * kill -9 of the LMTP service while four clients deliver, as an OOM killer would: the messages
 * stored by the service's store threads when it dies. The clients retry whatever got no 250
 * (a broken connection is a temporary failure to an MTA) against a restarted service.
 * Afterwards every message is in the Maildir whole, none twice, nothing partial in new/ or cur/.
 */
describe('crash safety of tamis lmtp', () => {
  it(`survives ${KILLS} kills under load`, { timeout: 300_000 }, async () => {
    const data = tempDir();
    writeFileSync(join(data, 'users'), 'alice:{PLAIN}x::::::\n');
    const port = await freePort();
    const msg = (i: number) =>
      Buffer.from(
        `From: s${i}@example.net\r\nTo: alice@example.org\r\nSubject: crash ${i}\r\n` +
          `Message-ID: <crash${i}@example.net>\r\n\r\n${'body line\r\n'.repeat(100 + 37 * i)}`,
      );
    const pending = Array.from({ length: MESSAGES }, (_, i) => i);
    const acked = new Set<number>();
    let service = await startLmtp(data, port);
    let kills = 0;
    let interrupted = 0;
    const client = async () => {
      for (let i = pending.shift(); i !== undefined; i = pending.shift()) {
        let ok = false;
        try {
          const answer = await lmtpSend(port, `s${i}@example.net`, ['alice@example.org'], msg(i));
          ok = answer.data[0]?.startsWith('250') ?? false;
        } catch {
          // The connection broke: try again later.
        }
        if (ok) acked.add(i);
        else {
          interrupted++;
          pending.push(i);
          await sleep(100);
        }
      }
    };
    const killer = async () => {
      while (kills < KILLS && pending.length > 0) {
        await sleep(100 + Math.random() * 300);
        service.kill('SIGKILL');
        await new Promise((r) => service.once('exit', r));
        kills++;
        service = await startLmtp(data, port);
      }
    };
    await Promise.all([client(), client(), client(), client(), killer()]);
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));

    // The kills hit deliveries in flight, not only an idle service.
    expect(kills).toBeGreaterThan(0);
    expect(interrupted).toBeGreaterThan(0);
    expect(acked.size).toBe(MESSAGES);
    const maildir = join(data, 'home', 'alice', 'Maildir');
    const files = listMail(maildir).map((n) => readFileSync(join(maildir, n)));
    // Nothing partial or foreign is visible: each file is one whole message.
    const index = new Map(Array.from({ length: MESSAGES }, (_, i) => [msg(i).toString('latin1'), i]));
    const seen = files.map((f) => index.get(f.toString('latin1')));
    expect(seen.filter((i) => i === undefined)).toEqual([]);
    // Each message at least once; a kill after the store and before the 250 may store one twice,
    // which the MTA's retry makes unavoidable, but never more often than it was retried.
    for (let i = 0; i < MESSAGES; i++) expect(seen).toContain(i);
    expect(files.length).toBeLessThanOrEqual(MESSAGES + kills * 4);
  });
});
