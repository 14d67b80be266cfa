import { mkdir, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { memoryStores } from '../../stores/memory.js';
import type { SendCounters } from '../../stores/types.js';
import {
  checkLimits,
  DEFAULT_SENDING_LIMITS,
  splitRecipients,
  type SendingLimits,
} from '../policy/limits.js';
import { Srs } from '../policy/srs.js';
import { TemporaryDeliveryError, type OutgoingMail, type Outbox } from '../ports.js';
import { buildBounce } from './bounce.js';
import { folderTransport } from './folder.js';
import { Queue, QueueFileError, type QueuedMail } from './queue.js';
import { relayTransport } from './relay.js';
import { sendmailTransport } from './sendmail.js';
import { DEFAULT_RETRY, retryDelay, type RetrySchedule } from './schedule.js';
import type { OutboxOptions } from './settings.js';
import type { Refusal, SendResult, Transport } from './transport.js';

export {
  DEFAULT_SENDING_LIMITS,
  PLATFORM_MAX_REDIRECTS,
  SENDING_PLANS,
  planLimits,
  type SendingLimits,
  type SendingPlan,
} from '../policy/limits.js';
export { Srs, SrsError, type SrsConfig } from '../policy/srs.js';
export { DEFAULT_RETRY, type RetrySchedule } from './schedule.js';
export {
  SENDING_SETTINGS,
  checkSendingSettings,
  outboxOptionsFrom,
  type OutboxOptions,
  type SrsOptions,
} from './settings.js';

export type ManagedOutbox = Outbox & {
  /** Tries everything due now and resolves when that attempt is over (what failed stays queued). */
  flush(): Promise<void>;
  /** Stops retrying, waits for sends in flight, closes the relay connections. Queued mail stays on disk. */
  close(): Promise<void>;
};

// No spaces, brackets, quotes or controls: an address that cannot inject into the SMTP dialogue.
const SAFE_ADDRESS = /^[^\s<>()\\,;:"\x00-\x1f\x7f]+@[^\s<>()\\,;:"@\x00-\x1f\x7f]+$/;

/** How often a running outbox looks at the folder for mail it was not told about (ms). */
const SCAN_EVERY = 60_000;

/** The outbox: queues durably, then sends through the relay (or the `sent/` folder) with retries. */
export function createOutbox(options: OutboxOptions): ManagedOutbox {
  return new DurableOutbox(options);
}

interface Wait {
  at: number;
  attempts: number;
}

class DurableOutbox implements ManagedOutbox {
  private readonly queue: Queue;
  private readonly transport: Transport;
  private readonly counters: SendCounters;
  private readonly limits: SendingLimits;
  private readonly retry: RetrySchedule;
  private readonly srs: Srs | null;
  private readonly hostname: string;
  private readonly log: (line: Record<string, unknown>) => void;
  private readonly ready: Promise<void>;
  /** In-process back-off: when each deferred or held id may be tried again. */
  private readonly waits = new Map<string, Wait>();
  /** Set while the relay cannot be reached: nothing is tried before then. */
  private relayWait: Wait | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: OutboxOptions) {
    this.queue = new Queue(options.dir);
    this.transport = options.relay
      ? relayTransport({
          url: options.relay,
          ...(options.relayTimeout ? { timeout: options.relayTimeout } : {}),
        })
      : options.sendmail
        ? sendmailTransport({ path: options.sendmail })
        : folderTransport(options.dir, this.queue.tmpDir);
    this.counters = (options.stores ?? memoryStores()).counters;
    this.limits = { ...DEFAULT_SENDING_LIMITS, ...options.limits };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.srs = options.srs ? new Srs(options.srs) : null;
    this.hostname = options.hostname ?? hostname();
    this.log = options.log ?? (() => {});
    this.now = options.clock ?? Date.now;
    this.ready = this.queue.init().then(async () => {
      const resumed = await this.queue.recover();
      if (resumed > 0) this.log({ event: 'resumed', count: resumed });
    });
    // A failed start shows on the first enqueue or flush; here it must not be an unhandled rejection.
    this.ready.then(() => this.kick()).catch(() => {});
  }

  /** Any failure (disk, counters store) rejects as temporary: the MTA keeps the message and retries. */
  async enqueue(user: string, mail: OutgoingMail): Promise<void> {
    try {
      await this.queueMail(user, mail);
    } catch (e) {
      if (e instanceof TemporaryDeliveryError) throw e;
      throw new TemporaryDeliveryError(`outbox: cannot queue ${mail.kind}: ${(e as Error).message}`);
    }
  }

  private async queueMail(user: string, mail: OutgoingMail): Promise<void> {
    if (this.closed) throw new Error('outbox closed');
    await this.ready;
    const now = new Date(this.now());
    const bad = mail.to.filter((t) => !SAFE_ADDRESS.test(t));
    if (bad.length > 0)
      this.log({ event: 'dropped', user, kind: mail.kind, to: bad, reason: 'invalid address' });
    const to = [...new Set(mail.to.filter((t) => SAFE_ADDRESS.test(t)))];
    if (mail.from !== '' && !SAFE_ADDRESS.test(mail.from)) {
      this.log({
        event: 'dropped',
        user,
        kind: mail.kind,
        to,
        reason: `invalid sender ${JSON.stringify(mail.from)}`,
      });
      return;
    }
    const limits = this.limitsOf(user);
    const srs = this.srs;
    for (const group of splitRecipients(to, limits.maxRecipients)) {
      // The receiver's SPF check compares the sender's domain with our relay: forwards out of our
      // domains get a sender at our domain instead (SRS), through which bounces find their way back.
      const rewrite = srs !== null && mail.kind === 'redirect' && group.some((t) => !srs.isLocal(t));
      const from = rewrite ? srs.forward(mail.from, now) : mail.from;
      const over = await checkLimits(this.counters, user, group.length, limits, now);
      const queued: QueuedMail = {
        id: Queue.newId(now.getTime()),
        user,
        kind: mail.kind,
        from,
        to: group,
        queued: now.getTime(),
        held: over !== null,
        message: mail.message,
        ...(from !== mail.from ? { originalFrom: mail.from } : {}),
      };
      if (over && limits.overLimit === 'drop') {
        this.log({ ...describe(queued), event: 'dropped', reason: `${over.limit} limit ${over.max}` });
        continue;
      }
      if (!over) await this.counters.add(user, group.length, now);
      await this.queue.add(queued);
      if (over) {
        this.waits.set(queued.id, { at: over.retryAt.getTime(), attempts: 0 });
        this.log({ ...describe(queued), event: 'held', reason: `${over.limit} limit ${over.max}` });
      } else {
        this.log({ ...describe(queued), event: 'queued' });
      }
    }
    this.kick();
  }

  async flush(): Promise<void> {
    await this.ready;
    await this.pass();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ready.catch(() => {});
    while (this.running) await this.running.catch(() => {});
    await this.transport.close();
  }

  private limitsOf(user: string): SendingLimits {
    return { ...this.limits, ...this.options.limitsFor?.(user) };
  }

  /** Starts a pass, or asks the running one to look again when it is done. */
  private kick(): void {
    if (this.closed) return;
    this.pass().catch((e: unknown) => this.log({ event: 'error', reason: (e as Error).message }));
  }

  private pass(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      do {
        this.again = false;
        await this.sendDue();
      } while (this.again && !this.closed);
    })();
    this.running = run.finally(() => {
      this.running = null;
      this.arm();
    });
    return this.running;
  }

  /** One look at the queue: every message not waiting for its next attempt is tried once. */
  private async sendDue(): Promise<void> {
    for (const id of await this.queue.waiting()) {
      if (this.closed || (this.relayWait && this.relayWait.at > this.now())) return;
      const wait = this.waits.get(id);
      if (wait && wait.at > this.now()) continue;
      const active = await this.queue.claim(id);
      if (!active) continue;
      try {
        await this.process(id, active);
      } catch (e) {
        // A disk error mid-way: give the message back, try again later, and go on with the rest.
        const attempts = (this.waits.get(id)?.attempts ?? 0) + 1;
        this.waits.set(id, { at: this.now() + retryDelay(this.retry, attempts), attempts });
        await this.queue.release(active, id).catch(() => {});
        this.log({ event: 'error', id, reason: (e as Error).message });
      }
    }
  }

  private async process(id: string, active: string): Promise<void> {
    let mail: QueuedMail;
    try {
      mail = await this.queue.read(active);
    } catch (e) {
      if (!(e instanceof QueueFileError)) throw e;
      // Kept for an operator to look at, never deleted.
      const broken = join(this.options.dir, 'broken');
      await mkdir(broken, { recursive: true });
      await rename(active, join(broken, id));
      this.log({ event: 'broken', id, reason: e.message });
      return;
    }
    const now = this.now();
    if (mail.held && !(await this.release(mail, active, now))) return;
    const result = await this.transport.send(mail.id, mail.from, mail.to, mail.message);
    if (result.unreachable) {
      // The relay is down: back off for the whole queue, not message by message.
      const attempts = (this.relayWait?.attempts ?? 0) + 1;
      this.relayWait = { at: now + retryDelay(this.retry, attempts), attempts };
    } else {
      this.relayWait = null;
    }
    await this.settle(mail, active, result, now);
  }

  /** Counts a held message once the limits allow it; false when it stays held (or was dropped). */
  private async release(mail: QueuedMail, active: string, now: number): Promise<boolean> {
    const limits = this.limitsOf(mail.user);
    const over = await checkLimits(this.counters, mail.user, mail.to.length, limits, new Date(now));
    if (!over) {
      await this.counters.add(mail.user, mail.to.length, new Date(now));
      mail.held = false;
      await this.queue.rewrite(active, mail);
      this.log({ ...describe(mail), event: 'released' });
      return true;
    }
    if (now - mail.queued >= limits.holdFor * 1000) {
      await this.queue.finish(active, mail.id);
      this.waits.delete(mail.id);
      this.log({
        ...describe(mail),
        event: 'dropped',
        reason: `held too long: ${over.limit} limit ${over.max}`,
      });
      return false;
    }
    await this.queue.release(active, mail.id);
    this.waits.set(mail.id, { at: over.retryAt.getTime(), attempts: 0 });
    return false;
  }

  private async settle(mail: QueuedMail, active: string, result: SendResult, now: number): Promise<void> {
    if (result.accepted.length > 0) {
      this.log({ ...describe(mail), event: 'sent', to: result.accepted, via: this.transport.name });
    }
    let failed = result.failed;
    let deferred = result.deferred;
    const gaveUp = deferred.length > 0 && now - mail.queued >= this.retry.giveUpAfter * 1000;
    if (gaveUp) {
      failed = [...failed, ...deferred.map((d) => ({ to: d.to, reason: `gave up: ${d.reason}` }))];
      deferred = [];
    }
    if (failed.length > 0) await this.bounce(mail, failed, gaveUp);
    if (deferred.length === 0) {
      await this.queue.finish(active, mail.id);
      this.waits.delete(mail.id);
      return;
    }
    if (deferred.length < mail.to.length) {
      // Only the recipients still to do stay queued: a retry never sends to one twice.
      mail.to = deferred.map((d) => d.to);
      await this.queue.rewrite(active, mail);
    }
    const attempts = (this.waits.get(mail.id)?.attempts ?? 0) + 1;
    const at = now + retryDelay(this.retry, attempts);
    this.waits.set(mail.id, { at, attempts });
    await this.queue.release(active, mail.id);
    this.log({
      ...describe(mail),
      event: 'deferred',
      attempts,
      retryAt: new Date(at).toISOString(),
      reasons: deferred.map((d) => d.reason),
    });
  }

  /**
   * Logs a failure for good and, for a forward or notification with a sender, queues a report
   * (RFC 3464) to that sender (the original one, before SRS), as the MTA that accepted the
   * message would have. Vacation replies and reports have the null sender: they never bounce.
   */
  private async bounce(mail: QueuedMail, failed: Refusal[], gaveUp: boolean): Promise<void> {
    const to = mail.originalFrom ?? mail.from;
    const report = to !== '' && (mail.kind === 'redirect' || mail.kind === 'notify');
    this.log({
      ...describe(mail),
      event: 'bounced',
      to: failed.map((f) => f.to),
      reasons: failed.map((f) => f.reason),
      report: report ? to : null,
    });
    if (!report) return;
    const now = new Date(this.now());
    const dsn: QueuedMail = {
      id: Queue.newId(now.getTime()),
      user: mail.user,
      kind: 'bounce',
      from: '',
      to: [to],
      queued: now.getTime(),
      held: false,
      message: buildBounce({
        to,
        user: mail.user,
        hostname: this.hostname,
        queued: new Date(mail.queued),
        failed,
        gaveUp,
        message: mail.message,
        now,
      }),
    };
    await this.queue.add(dsn);
    this.log({ ...describe(dsn), event: 'queued' });
    this.again = true;
  }

  /** Sets the timer for the earliest waiting message. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    // Also look again now and then for what other processes queued into the same folder.
    const next = Math.min(
      ...[...this.waits.values()].map((w) => w.at),
      this.relayWait?.at ?? Infinity,
      this.now() + SCAN_EVERY,
    );
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.kick();
      },
      Math.max(0, next - this.now()),
    );
    // Queued mail is on disk: a waiting retry must not keep a one-shot process alive.
    this.timer.unref();
  }
}

function describe(mail: QueuedMail): Record<string, unknown> {
  return {
    id: mail.id,
    user: mail.user,
    kind: mail.kind,
    from: mail.from,
    ...(mail.originalFrom !== undefined ? { originalFrom: mail.originalFrom } : {}),
    to: mail.to,
    size: mail.message.length,
  };
}
