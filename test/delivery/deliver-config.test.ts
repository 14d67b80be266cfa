import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { FileScriptStore } from '../../src/scripts/file-store.js';
import { listMail, tempDir } from './helpers.js';
import { runDeliver } from './run-deliver.js';

let dir: string;
const config = (name: string, body: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(body));
  return file;
};
const maildir = (user: string) => join(dir, 'data', 'home', user, 'Maildir');
let n = 0;
// Each message its own: a message delivered once is not delivered again.
const msg = (headers: string) =>
  Buffer.from(`${headers}Message-ID: <m${++n}@example.net>\r\nSubject: x\r\n\r\nbody\r\n`);

beforeAll(async () => {
  dir = tempDir();
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'users'), 'alice:{PLAIN}x::::::\nbob:{PLAIN}x::::::\n');
  const store = new FileScriptStore({ root: join(dir, 'data', 'home') });
  await store.put(
    'alice',
    'main',
    Buffer.from('require ["fileinto", "mailbox"];\nfileinto :create "Lists";\n'),
  );
  await store.setActive('alice', 'main');
});

describe('tamis deliver --config with engine and delivery sections', () => {
  it('runs scripts with the engine section: a disabled extension fails the script, the message is kept', async () => {
    const file = config('disabled.json', {
      engine: { disabled: ['fileinto'] },
      delivery: { dataDir: 'data' },
    });
    const r = await runDeliver(['--config', file, '-a', 'alice'], msg(''));
    expect(r.code).toBe(0);
    expect(listMail(maildir('alice'))).toHaveLength(1);
    expect(listMail(maildir('alice'), '.Lists')).toHaveLength(0);
    expect(r.stderr).toContain('fileinto');
    // Without the engine section the same script files the message away.
    const plain = config('plain.json', { delivery: { dataDir: 'data' } });
    expect((await runDeliver(['--config', plain, '-a', 'alice'], msg(''))).code).toBe(0);
    expect(listMail(maildir('alice'), '.Lists')).toHaveLength(1);
  });

  it("applies the delivery section's spam threshold", async () => {
    const file = config('spam.json', { delivery: { dataDir: 'data', spam: { threshold: 2 } } });
    const scored = (n: string) => msg(`X-Spamd-Result: default: False [${n} / 15.00]\r\n`);
    expect((await runDeliver(['--config', file, '-a', 'bob'], scored('1.9'))).code).toBe(0);
    expect(listMail(maildir('bob'), '.Junk')).toHaveLength(0);
    expect((await runDeliver(['--config', file, '-a', 'bob'], scored('2.0'))).code).toBe(0);
    expect(listMail(maildir('bob'), '.Junk')).toHaveLength(1);
    expect(listMail(maildir('bob'))).toHaveLength(1);
  });

  it('exits 64 for a wrong key, naming its path, and delivers nothing', async () => {
    const file = config('bad.json', {
      engine: { maxRedirect: 3 },
      delivery: { dataDir: 'data', spam: { treshold: 2 } },
    });
    const before = listMail(maildir('bob')).length;
    const r = await runDeliver(['--config', file, '-a', 'bob'], msg(''));
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('delivery.spam.treshold: unknown setting; did you mean threshold?');
    expect(r.stderr).toContain('engine.maxRedirect: unknown setting; did you mean maxRedirects?');
    expect(listMail(maildir('bob'))).toHaveLength(before);
  });

  it('tamis lmtp and tamis start refuse the same file with 64 before listening', async () => {
    const file = config('bad-lmtp.json', {
      delivery: { lmtp: { maxClients: -1 } },
      managesieve: { listn: ':1' },
    });
    const lmtp = await runCli(['lmtp', '--config', file]);
    expect(lmtp.code).toBe(64);
    expect(lmtp.stderr).toContain('delivery.lmtp.maxClients: expected an integer >= 1, got -1');
    const start = await runCli(['start', '--config', file, '--data', join(dir, 'start')]);
    expect(start.code).toBe(64);
    expect(start.stderr).toContain('delivery.lmtp.maxClients');
    expect(start.stderr).toContain('managesieve.listn: unknown setting; did you mean listen?');
  });
});
