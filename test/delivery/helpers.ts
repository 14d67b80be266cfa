import { chmodSync, mkdtempSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SieveEngine } from '../../src/index.js';
import type { DeliveryDeps } from '../../src/delivery/deliver.js';
import { maildirMailboxes } from '../../src/delivery/maildir-mailboxes.js';
import type { OutgoingMail, Outbox } from '../../src/delivery/ports.js';
import { DEFAULT_SPAM_RULE, spamEngineSettings } from '../../src/delivery/spam-rule.js';
import { memoryStores } from '../../src/stores/memory.js';

/** An Outbox that records what is queued; `fail` makes the next enqueues reject. */
export function recordingOutbox(): Outbox & { sent: Array<OutgoingMail & { user: string }>; fail: boolean } {
  const box = {
    sent: [] as Array<OutgoingMail & { user: string }>,
    fail: false,
    async enqueue(user: string, mail: OutgoingMail) {
      if (box.fail) throw new Error('queue unavailable');
      box.sent.push({ ...mail, user });
    },
  };
  return box;
}

export function tempDir(prefix = 'tamis-delivery-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** Delivery deps over real Maildirs under `root/<user>/Maildir` with users `alice` and `bob`. */
export function testDeps(root: string, overrides: Partial<DeliveryDeps> = {}) {
  const outbox = recordingOutbox();
  const stores = memoryStores();
  const scripts = new Map<string, string>();
  const users = new Set(['alice', 'bob']);
  const deps: DeliveryDeps = {
    engine: new SieveEngine({ config: { ...spamEngineSettings(DEFAULT_SPAM_RULE) } }),
    directory: { exists: async (u: string) => users.has(u) },
    homeOf: async (user) => join(root, user),
    activeScript: async (user) => {
      const source = scripts.get(user);
      return source === undefined ? null : { name: `${user}.sieve`, source };
    },
    mailboxes: (_user, home) => maildirMailboxes(join(home, 'Maildir')),
    outbox,
    stores,
    spam: DEFAULT_SPAM_RULE,
    ...overrides,
  };
  return { deps, outbox, stores, scripts };
}

/** Names of the files in a Maildir folder's new/ and cur/ (folder '' is INBOX). */
export function listMail(maildir: string, folder = ''): string[] {
  const dir = folder ? join(maildir, folder) : maildir;
  const names: string[] = [];
  for (const sub of ['new', 'cur']) {
    try {
      names.push(...readdirSync(join(dir, sub)).map((n) => `${sub}/${n}`));
    } catch {
      // Folder not there.
    }
  }
  return names;
}

export async function readMail(maildir: string, folder = ''): Promise<string[]> {
  const dir = folder ? join(maildir, folder) : maildir;
  return Promise.all(listMail(maildir, folder).map((n) => readFile(join(dir, n), 'latin1')));
}

export { hasDovecot, withDoveadm } from '../support/doveadm.js';

export const message = (headers: string[], body = 'Hello.\r\n'): Buffer =>
  Buffer.from(headers.join('\r\n') + '\r\n\r\n' + body);
