import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { OutgoingMail, Outbox } from '../delivery/ports.js';
import { memoryStores } from '../stores/memory.js';
import type { DeliveryStores } from '../stores/types.js';

/** The stores delivery remembers through. */
export async function openStores(_file: string): Promise<DeliveryStores> {
  return memoryStores();
}

export interface OpenOutboxOptions {
  dir: string;
  relay?: string;
  stores?: DeliveryStores;
}

/**
 * The outbox: each message is written durably (tmp file, fsync, rename, fsync the folder) into
 * `dir/new` with its envelope as JSON next to it, before delivery counts it as queued.
 */
export async function openOutbox(options: OpenOutboxOptions): Promise<Outbox & { close(): Promise<void> }> {
  if (options.relay) throw new Error('sending to a relay is not available in this build; leave --relay out');
  const tmp = path.join(options.dir, 'tmp');
  const ready = path.join(options.dir, 'new');
  await fs.mkdir(tmp, { recursive: true, mode: 0o700 });
  await fs.mkdir(ready, { recursive: true, mode: 0o700 });
  const write = async (name: string, data: Buffer | string): Promise<void> => {
    const file = path.join(tmp, name);
    const handle = await fs.open(file, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(file, path.join(ready, name));
  };
  return {
    async enqueue(user: string, mail: OutgoingMail) {
      const id = `${Date.now()}.${process.pid}.${randomBytes(6).toString('hex')}`;
      await write(`${id}.eml`, mail.message);
      // The envelope last: a reader takes a message only once its envelope is there.
      await write(
        `${id}.json`,
        JSON.stringify({ user, kind: mail.kind, from: mail.from, to: mail.to }) + '\n',
      );
      const dir = await fs.open(ready, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    },
    async close() {},
  };
}
