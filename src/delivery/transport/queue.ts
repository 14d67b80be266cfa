import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutgoingMail } from '../ports.js';
import { syncDir, writeDurably } from './durable.js';

/** One queued message: its envelope and state as a JSON first line, then the message bytes. */
export interface QueuedMail extends Omit<OutgoingMail, 'kind'> {
  /** `bounce`: a delivery status notification the outbox itself sends about a failed forward. */
  kind: OutgoingMail['kind'] | 'bounce';
  id: string;
  user: string;
  /** When it was first queued (ms since the epoch): the retry schedule and the give-up time count from it. */
  queued: number;
  /** Held by the sending limits: counted against them only once released. */
  held: boolean;
  /** The user's address the message was sent for, when it differs from the envelope (SRS, bounces). */
  originalFrom?: string;
}

const SUFFIX = '.msg';

/** Claims held by this process (any outbox in it): recovery must not take them back. */
const ownClaims = new Set<string>();

/**
 * The outbox folder. `queue/` holds what waits to be sent; a process sending a message first
 * claims it by renaming it into `active/` under its pid (only one process wins a rename), and
 * after the relay accepted it renames it into `done/` (the atomic "sent" mark) before deleting it.
 * `tmp/` is where files are written before they appear anywhere.
 */
export class Queue {
  readonly queueDir: string;
  readonly activeDir: string;
  readonly doneDir: string;
  readonly tmpDir: string;

  constructor(readonly dir: string) {
    this.queueDir = join(dir, 'queue');
    this.activeDir = join(dir, 'active');
    this.doneDir = join(dir, 'done');
    this.tmpDir = join(dir, 'tmp');
  }

  async init(): Promise<void> {
    for (const d of [this.queueDir, this.activeDir, this.doneDir, this.tmpDir]) {
      await mkdir(d, { recursive: true, mode: 0o700 });
    }
  }

  static newId(now: number): string {
    return `${now.toString(36)}-${randomBytes(8).toString('hex')}`;
  }

  /** Writes a new message into `queue/`; once this resolves it is on disk. */
  async add(mail: QueuedMail): Promise<void> {
    await writeDurably(this.tmpDir, join(this.queueDir, mail.id + SUFFIX), encode(mail));
  }

  /** Ids waiting in `queue/`, oldest first (ids start with the time). */
  async waiting(): Promise<string[]> {
    const names = await readdir(this.queueDir);
    return names
      .filter((n) => n.endsWith(SUFFIX))
      .map((n) => n.slice(0, -SUFFIX.length))
      .sort();
  }

  /** Takes a message for this process; null when another process took it first. */
  async claim(id: string): Promise<string | null> {
    const active = join(this.activeDir, `${id}${SUFFIX}.${process.pid}`);
    try {
      await rename(join(this.queueDir, id + SUFFIX), active);
      ownClaims.add(active);
      return active;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async read(path: string): Promise<QueuedMail> {
    return decode(await readFile(path), path);
  }

  /** Replaces a claimed message's content in place (fewer recipients left, released from hold). */
  async rewrite(active: string, mail: QueuedMail): Promise<void> {
    await writeDurably(this.tmpDir, active, encode(mail));
  }

  /** Gives a claimed message back to `queue/` for a later attempt. */
  async release(active: string, id: string): Promise<void> {
    await rename(active, join(this.queueDir, id + SUFFIX));
    ownClaims.delete(active);
  }

  /** Marks a claimed message sent (atomically), then deletes it. */
  async finish(active: string, id: string): Promise<void> {
    const done = join(this.doneDir, id + SUFFIX);
    await rename(active, done);
    ownClaims.delete(active);
    await syncDir(this.activeDir);
    // Another process starting up may have cleared done/ already.
    await unlink(done).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  /**
   * After a crash: deletes what was marked sent, and gives back to `queue/` what a process that
   * no longer runs had claimed, so it is sent again (it was not accepted, or it would be in done/).
   */
  async recover(): Promise<number> {
    for (const name of await readdir(this.doneDir)) await unlink(join(this.doneDir, name)).catch(() => {});
    for (const name of await readdir(this.tmpDir)) {
      const pid = Number(name.split('.')[0]);
      if (!alive(pid)) await unlink(join(this.tmpDir, name)).catch(() => {});
    }
    let resumed = 0;
    for (const name of await readdir(this.activeDir)) {
      const m = /^(.+)\.msg\.(\d+)$/.exec(name);
      if (!m) continue;
      // Ours only while this process holds it; a file under our pid otherwise is from an earlier process.
      const pid = Number(m[2]);
      if (ownClaims.has(join(this.activeDir, name)) || (pid !== process.pid && alive(pid))) continue;
      await rename(join(this.activeDir, name), join(this.queueDir, m[1]! + SUFFIX)).catch(() => {});
      resumed++;
    }
    if (resumed > 0) await syncDir(this.queueDir);
    return resumed;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function encode(mail: QueuedMail): Buffer[] {
  const { message, ...head } = mail;
  return [Buffer.from(JSON.stringify({ v: 1, ...head }) + '\n'), message];
}

export class QueueFileError extends Error {
  override readonly name = 'QueueFileError';
}

function decode(data: Buffer, path: string): QueuedMail {
  const nl = data.indexOf(0x0a);
  let head: Record<string, unknown> | null = null;
  try {
    head = nl > 0 ? (JSON.parse(data.toString('utf8', 0, nl)) as Record<string, unknown>) : null;
  } catch {
    head = null;
  }
  const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
  if (
    !head ||
    head.v !== 1 ||
    typeof head.id !== 'string' ||
    typeof head.user !== 'string' ||
    typeof head.from !== 'string' ||
    !strings(head.to) ||
    typeof head.queued !== 'number' ||
    !['redirect', 'vacation', 'notify', 'reject', 'bounce'].includes(head.kind as string)
  ) {
    throw new QueueFileError(`${path}: not a queued message`);
  }
  return {
    id: head.id,
    user: head.user,
    kind: head.kind as QueuedMail['kind'],
    from: head.from,
    to: head.to as string[],
    queued: head.queued,
    held: head.held === true,
    ...(typeof head.originalFrom === 'string' ? { originalFrom: head.originalFrom } : {}),
    message: data.subarray(nl + 1),
  };
}
