import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, workerData } from 'node:worker_threads';
import { maildirMessages } from './maildir-reader.js';

/*
 * Opening, reading and closing 5,000 small files costs a thread nearly as much as running a
 * script over them. With a CPU to spare, a reader thread lists the folder and reads each message
 * into shared memory ahead of the thread that runs the script, which sees each message as a
 * Buffer over that memory, without a copy.
 *
 * The shared memory is a ring of slots used in order, so output keeps folder order and memory is
 * the ring however large the folder. Four counters and flags come first, then three Int32 fields
 * per slot (kind, path length, data length); each slot's bytes hold the path, then the message.
 * The consumer hands slots back a batch at a time, and each side wakes the other only when that
 * one has said it is waiting, so a reader running ahead costs the consumer no system call.
 */

const SLOTS = 64;
const SLOT_BYTES = 128 * 1024;
const RELEASE_BATCH = 16;
/** How long the reader watches for free slots before it sleeps. */
const SPIN_MS = 5;

/** Slots filled by the reader so far (only grows). */
const FILLED = 0;
/** Slots handed back by the consumer so far (only grows). */
const RELEASED = 1;
/** Set while the reader waits for a slot to be handed back. */
const READER_WAITING = 2;
/** Set while the consumer waits for a slot to be filled. */
const CONSUMER_WAITING = 3;
const HEAD = 4;
const FIELDS = 3;

/** What a slot holds. */
const MESSAGE = 1; // the path, then the whole message
const TOO_LARGE = 2; // the path of a message larger than a slot: the consumer reads it itself
const UNREADABLE = 3; // the path, then the error code
const END = 4; // the folder is done
const FAILED = 5; // the folder could not be listed: the data is the error message

export interface PrefetchedMessage {
  file: string;
  /** The message, valid until the next call to next(); null when it is too large for a slot. */
  raw: Buffer | null;
  /** Set when the message could not be read. */
  error?: NodeJS.ErrnoException;
}

interface ReaderSetup {
  maildir: string;
  meta: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/** The reader is its own small entry file next to this module (.cjs when built, .ts from source). */
const readerEntry = (): URL => {
  const here = import.meta.url;
  return new URL(`./maildir-prefetch-thread${extname(fileURLToPath(here))}`, here);
};

/**
 * A reader thread pays only with a CPU of its own; and run from the TypeScript sources, a thread
 * could not load its entry file.
 */
export function prefetchPays(): boolean {
  return availableParallelism() > 1 && !readerEntry().pathname.endsWith('.ts') && !process.env.XNOPF;
}

/**
 * The messages of a Maildir folder, read ahead by a reader thread that starts at once, so it
 * works while the caller still loads and compiles its script.
 */
export class MaildirPrefetch {
  private readonly ctl: Int32Array;
  private readonly bytes: Buffer;
  private readonly worker: Worker;
  private taken = 0;
  private failure: Error | null = null;
  /** Settles when the reader thread stops, for whatever reason. */
  private readonly stopped: Promise<void>;

  constructor(maildir: string) {
    const meta = new SharedArrayBuffer((HEAD + SLOTS * FIELDS) * 4);
    const data = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
    this.ctl = new Int32Array(meta);
    this.bytes = Buffer.from(data);
    const setup: ReaderSetup = { maildir, meta, data };
    this.worker = new Worker(readerEntry(), { workerData: setup });
    this.stopped = new Promise<void>((resolve) => {
      this.worker.once('error', (e) => {
        this.failure = e;
        resolve();
      });
      this.worker.once('exit', (code) => {
        this.failure ??= new Error(`the reader thread stopped (exit code ${code})`);
        resolve();
      });
    });
  }

  /**
   * The next message; null at the end of the folder; undefined when the reader has not got there
   * yet (await ready(), then ask again). The previous message's buffer is no longer valid.
   */
  next(): PrefetchedMessage | null | undefined {
    const { ctl, bytes } = this;
    if (this.taken % RELEASE_BATCH === 0) this.release();
    if (Atomics.load(ctl, FILLED) === this.taken) {
      // Hand back everything before waiting: the reader may be waiting for it.
      this.release();
      if (this.failure) throw this.failure;
      return undefined;
    }
    const slot = this.taken % SLOTS;
    const at = HEAD + slot * FIELDS;
    const kind = ctl[at];
    const base = slot * SLOT_BYTES;
    const pathEnd = base + ctl[at + 1]!;
    const dataEnd = pathEnd + ctl[at + 2]!;
    if (kind === END) return null;
    if (kind === FAILED) throw new Error(bytes.toString('utf8', pathEnd, dataEnd));
    this.taken++;
    const file = bytes.toString('utf8', base, pathEnd);
    if (kind === MESSAGE) return { file, raw: bytes.subarray(pathEnd, dataEnd) };
    if (kind === TOO_LARGE) return { file, raw: null };
    const error: NodeJS.ErrnoException = new Error(`cannot read ${file}`);
    error.code = bytes.toString('utf8', pathEnd, dataEnd);
    return { file, raw: null, error };
  }

  /** Resolves when another message may be ready (or the reader stopped: next() then throws). */
  async ready(): Promise<void> {
    const { ctl } = this;
    Atomics.store(ctl, CONSUMER_WAITING, 1);
    const wait = Atomics.waitAsync(ctl, FILLED, this.taken);
    if (wait.async) await Promise.race([wait.value, this.stopped]);
    Atomics.store(ctl, CONSUMER_WAITING, 0);
  }

  stop(): void {
    void this.worker.terminate();
  }

  private release(): void {
    Atomics.store(this.ctl, RELEASED, this.taken);
    if (Atomics.load(this.ctl, READER_WAITING)) Atomics.notify(this.ctl, RELEASED);
  }
}

/** The reader thread: lists the folder and fills the ring. */
export function runPrefetchReader(): void {
  const { maildir, meta, data } = workerData as ReaderSetup;
  const ctl = new Int32Array(meta);
  const bytes = Buffer.from(data);
  let filled = 0;

  /** Waits for the next slot to be handed back; returns where its bytes start. */
  const claim = (): number => {
    // Waking a sleeping thread costs the waker a system call and the sleeper a delay (much more
    // on a virtual machine), while the consumer hands back a batch every few milliseconds: so
    // watch for it a little before going to sleep.
    if (filled - Atomics.load(ctl, RELEASED) >= SLOTS) {
      const until = performance.now() + SPIN_MS;
      for (let i = 1; filled - Atomics.load(ctl, RELEASED) >= SLOTS; i++) {
        if (i % 1024 === 0 && performance.now() > until) break;
      }
    }
    for (let released = Atomics.load(ctl, RELEASED); filled - released >= SLOTS;) {
      Atomics.store(ctl, READER_WAITING, 1);
      released = Atomics.load(ctl, RELEASED);
      if (filled - released >= SLOTS) Atomics.wait(ctl, RELEASED, released);
      Atomics.store(ctl, READER_WAITING, 0);
      released = Atomics.load(ctl, RELEASED);
    }
    return (filled % SLOTS) * SLOT_BYTES;
  };
  const publish = (kind: number, pathLength: number, dataLength: number): void => {
    const at = HEAD + (filled % SLOTS) * FIELDS;
    ctl[at] = kind;
    ctl[at + 1] = pathLength;
    ctl[at + 2] = dataLength;
    Atomics.store(ctl, FILLED, ++filled);
    if (Atomics.load(ctl, CONSUMER_WAITING)) Atomics.notify(ctl, FILLED);
  };
  const text = (s: string, at: number): number => bytes.write(s, at, 'utf8');
  const code = (e: unknown): string => String((e as NodeJS.ErrnoException).code ?? e);

  try {
    for (const file of maildirMessages(maildir)) {
      const base = claim();
      const pathLength = text(file, base);
      const start = base + pathLength;
      const room = SLOT_BYTES - pathLength;
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch (e) {
        publish(UNREADABLE, pathLength, text(code(e), start));
        continue;
      }
      try {
        // As in FileReader: a read that stops short of the room asked for has reached the end.
        const len = readSync(fd, bytes, start, room, null);
        if (len < room) publish(MESSAGE, pathLength, len);
        else publish(TOO_LARGE, pathLength, 0);
      } catch (e) {
        publish(UNREADABLE, pathLength, text(code(e), start));
      } finally {
        closeSync(fd);
      }
    }
    claim();
    publish(END, 0, 0);
  } catch (e) {
    const base = claim();
    publish(FAILED, 0, text((e as Error).message, base));
  }
}
