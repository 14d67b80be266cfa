import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';
import type { SieveEngine, MessageView, Action } from '../index.js';
import { shortAction } from './format.js';
import { assertMaildir, countMaildir, maildirMessages } from '../maildir/reader.js';
import { FILTER_WORKER_ARG } from './worker-arg.js';
import {
  collect,
  compileChain,
  createEngine,
  envelopeFor,
  exitCodeFor,
  messageJson,
  runChain,
  unreadableJson,
  warnOn,
  type ScriptChain,
} from './test.js';

export interface FilterOptions {
  json?: boolean;
  config?: string;
  /** Worker threads running the script; default 1 (the main thread alone). */
  jobs?: number;
  /** Scripts run before and after the script, in order. */
  before?: string[];
  after?: string[];
}

/** Output is gathered into blocks of about this size before one write; nothing else is kept. */
const FLUSH_AT = 64 * 1024;

class BlockWriter {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly fd: number) {}
  line(s: string): void {
    this.chunks.push(s, '\n');
    this.size += s.length + 1;
    if (this.size >= FLUSH_AT) this.flush();
  }
  flush(): void {
    if (!this.size) return;
    const buf = Buffer.from(this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
    for (let off = 0; off < buf.length;) {
      try {
        off += writeSync(this.fd, buf, off);
      } catch (e) {
        // A non-blocking pipe that is full: try again.
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
    }
  }
}

/**
 * Reads whole files into one reused buffer: no per-message allocation and no fstat unless a
 * file is larger than the buffer. The returned view is valid until the next read, which is
 * enough because a message is finished with before the next one is read.
 */
export class FileReader {
  private buf = Buffer.allocUnsafe(256 * 1024);
  read(path: string): Buffer {
    const fd = openSync(path, 'r');
    try {
      let len = 0;
      for (;;) {
        if (len === this.buf.length) {
          const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, fstatSync(fd).size + 1));
          this.buf.copy(bigger, 0, 0, len);
          this.buf = bigger;
        }
        const n = readSync(fd, this.buf, len, this.buf.length - len, null);
        len += n;
        // A read of a regular file that stops short of the buffer's end has reached the end of
        // the file (a delivered message no longer grows), so no second call is needed to see it.
        if (n === 0 || len < this.buf.length) break;
      }
      return this.buf.subarray(0, len);
    } finally {
      closeSync(fd);
    }
  }
}

/** A one-line progress bar on stderr, redrawn at most ten times a second. */
class Progress {
  private last = 0;
  constructor(private readonly total: number) {}
  update(done: number): void {
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const width = 30;
    const filled = this.total ? Math.round((done / this.total) * width) : width;
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total}`);
  }
  end(): void {
    process.stderr.write('\r\x1b[K');
  }
}

/** Summary labels of "stored in" outcomes, by mailbox: one string per mailbox, not one per message. */
const storedLabels = new Map<string, string>();

/** Where a message ends up, for the closing summary. */
function outcome(a: Action): string {
  if (a.type === 'keep' || a.type === 'fileinto') {
    let label = storedLabels.get(a.mailbox);
    if (label === undefined) storedLabels.set(a.mailbox, (label = `stored in ${a.mailbox}`));
    return label;
  }
  return a.type === 'other' ? a.name : a.type;
}

/** What a batch of messages gave: output lines, outcome counts, and how many failed. */
export interface BatchResult {
  lines: string[];
  counts: Array<[string, number]>;
  failed: number;
}

export interface FilterContext {
  engine: SieveEngine;
  /** The script, with the --before and --after scripts around it. */
  chain: ScriptChain;
  json: boolean;
  parseMessage: (raw: Buffer) => MessageView;
  reader: FileReader;
}

/** Runs the script over a batch of messages; shared by the main thread and the workers. */
export function filterFiles(cx: FilterContext, files: Iterable<string>): BatchResult {
  const lines: string[] = [];
  const sink = (line: string) => lines.push(line);
  const counts = new Map<string, number>();
  let failed = 0;
  for (const file of files) {
    let raw: Buffer;
    try {
      raw = cx.reader.read(file);
    } catch (e) {
      failed++;
      unreadable(cx, file, e, sink);
      continue;
    }
    if (!filterOne(cx, file, raw, counts, sink)) failed++;
  }
  return { lines, counts: [...counts], failed };
}

/** A message moved away by a concurrent reader is not an error of the script. */
function unreadable(cx: FilterContext, file: string, e: unknown, sink: (line: string) => void): void {
  if (cx.json) sink(unreadableJson(file, e));
  else sink(`${file}: unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
}

/** Runs the script over one message and reports it; false when the run failed. */
function filterOne(
  cx: FilterContext,
  file: string,
  raw: Buffer,
  counts: Map<string, number>,
  sink: (line: string) => void,
): boolean {
  const view = cx.parseMessage(raw);
  const result = runChain(cx.engine, cx.chain, view, envelopeFor(view));
  if (cx.json) {
    sink(messageJson(file, result));
  } else {
    const err = result.errors[0];
    const where = err?.script === undefined ? '' : ` in ${err.script}`;
    let line = result.status === 'error' ? `${file}: error${where}: ${err?.message}; ` : `${file}: `;
    const actions = result.actions;
    for (let i = 0; i < actions.length; i++) {
      line += i ? `, ${shortAction(actions[i]!)}` : shortAction(actions[i]!);
      const o = outcome(actions[i]!);
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    sink(line);
  }
  return result.status !== 'error';
}

/** Messages per batch, and batches in flight per worker (bounds memory). */
const BATCH = 200;
const IN_FLIGHT = 3;
/**
 * Without --jobs, batches the main thread runs alone before worker threads are started: below
 * that a worker's start-up (loading the bundle, a cold first batch) costs more than it takes over.
 */
const AUTO_AFTER = 25;
/**
 * `tamis filter`: runs a script over every message of a Maildir folder without changing
 * anything. Messages are streamed from the directory in batches; the main thread is joined by
 * N - 1 worker threads (--jobs N, or one per CPU once a folder proves larger than a few batches),
 * each taking batches once it has compiled the script, so a worker that starts late costs the
 * main thread nothing.
 * Output stays in folder order and only a bounded number of batches is in flight.
 */
export async function runFilter(scriptFile: string, maildir: string, opts: FilterOptions): Promise<number> {
  assertMaildir(maildir);
  const engine = await createEngine(opts.config, warnOn('filter'));
  const chain = await compileChain(engine, scriptFile, opts, !!opts.json);
  if (!chain) return 1;
  const progress = process.stderr.isTTY ? new Progress(countMaildir(maildir)) : null;
  const out = new BlockWriter(1);
  const counts = new Map<string, number>();
  let failed = 0;
  let done = 0;
  const emit = (r: BatchResult, n: number) => {
    for (const line of r.lines) out.line(line);
    failed += r.failed;
    for (const [k, v] of r.counts) counts.set(k, (counts.get(k) ?? 0) + v);
    done += n;
    progress?.update(done);
  };
  const { parseMessage } = await import('../index.js');
  const cx: FilterContext = { engine, chain, json: !!opts.json, parseMessage, reader: new FileReader() };
  const setup: FilterWorkerSetup = {
    script: scriptFile,
    config: opts.config,
    json: !!opts.json,
    before: opts.before ?? [],
    after: opts.after ?? [],
  };
  const jobs = opts.jobs
    ? { count: opts.jobs, explicit: true }
    : { count: availableParallelism(), explicit: false };
  await filterShared(cx, jobs, setup, maildir, emit);
  out.flush();
  progress?.end();
  if (!opts.json) {
    const summary = [...counts].map(([k, v]) => `${k}: ${v}`).join(', ');
    process.stderr.write(
      `${done} messages${failed ? `, ${failed} with errors` : ''}${summary ? `; ${summary}` : ''}\n`,
    );
  }
  return failed ? 1 : 0;
}

/**
 * Hands out the folder's batches to the main thread and to `jobs.count - 1` worker threads running
 * this same program (see cli.ts), and gives their results to `emit` in folder order.
 */
async function filterShared(
  cx: FilterContext,
  jobs: { count: number; explicit: boolean },
  setup: FilterWorkerSetup,
  maildir: string,
  emit: (r: BatchResult, n: number) => void,
): Promise<void> {
  const files = maildirMessages(maildir);
  let nextId = 0;
  let nextToEmit = 0;
  let exhausted = false;
  const pending = new Map<number, BatchResult>();
  const sizes = new Map<number, number>();
  const take = (): { id: number; files: string[] } | null => {
    if (exhausted) return null;
    const batch: string[] = [];
    for (let f = files.next(); ; f = files.next()) {
      if (f.done) {
        exhausted = true;
        break;
      }
      batch.push(f.value);
      if (batch.length === BATCH) break;
    }
    if (!batch.length) return null;
    const id = nextId++;
    sizes.set(id, batch.length);
    return { id, files: batch };
  };
  const settle = (id: number, r: BatchResult) => {
    pending.set(id, r);
    for (let p = pending.get(nextToEmit); p; p = pending.get(nextToEmit)) {
      pending.delete(nextToEmit);
      emit(p, sizes.get(nextToEmit)!);
      sizes.delete(nextToEmit++);
    }
  };

  const workers: WorkerThreads.Worker[] = [];
  let inFlight = 0;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    wake?.();
    wake = null;
  };
  const spawn = () => {
    // Loaded here: only a large folder needs worker threads. (require, since the command line
    // runs as a script, where import() of a built-in module is not available.)
    const threads = createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;
    const w = new threads.Worker(process.argv[1]!, { argv: [FILTER_WORKER_ARG], workerData: { setup } });
    workers.push(w);
    let mine = 0;
    const feed = () => {
      for (let b = mine < IN_FLIGHT ? take() : null; b; b = mine < IN_FLIGHT ? take() : null) {
        mine++;
        inFlight++;
        w.postMessage(b);
      }
    };
    w.on('message', (msg: { ready: true } | { id: number; result: BatchResult }) => {
      if ('id' in msg) {
        mine--;
        inFlight--;
        settle(msg.id, msg.result);
      }
      feed();
      poke();
    });
    w.on('error', (e) => {
      failure ??= e;
      poke();
    });
    w.on('exit', () => {
      if (mine > 0) failure ??= new Error('a filter worker thread stopped before finishing its messages');
      poke();
    });
  };
  if (jobs.explicit) for (let i = 1; i < jobs.count; i++) spawn();
  try {
    // The main thread takes a batch whenever it is free, and lets the workers' replies in between.
    for (let b = take(); b && !failure;) {
      settle(b.id, filterFiles(cx, b.files));
      const next = take();
      // Without --jobs, a folder still unfinished after the first batches gets help from the other CPUs.
      if (!jobs.explicit && b.id === AUTO_AFTER - 1 && next && canSpawn())
        for (let i = 1; i < jobs.count; i++) spawn();
      if (workers.length) await new Promise((resolve) => setImmediate(resolve));
      b = next;
    }
    while (inFlight > 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
  } finally {
    for (const w of workers) void w.terminate();
  }
}

/** Worker threads start this same entry file, which must then be JavaScript (the built command line). */
const canSpawn = (): boolean => /\.[cm]?js$/.test(process.argv[1] ?? '');

export interface FilterWorkerSetup {
  script: string;
  config?: string;
  json: boolean;
  before: string[];
  after: string[];
}

export function registerFilter(program: Command): void {
  program
    .command('filter')
    .description('run a script over every message of a Maildir folder without changing anything')
    .argument('<script>', 'Sieve script')
    .argument('<maildir>', 'Maildir folder (with new/ and cur/)')
    .option('--json', 'one JSON line per message')
    .option('--config <file>', 'configuration file (JSON; its engine section is used)')
    .option('--before <file>', 'a script run before <script> (repeatable, in order)', collect)
    .option('--after <file>', 'a script run after <script> (repeatable, in order)', collect)
    .option(
      '--jobs <n>',
      'threads running the script (default: one per CPU for folders over 5,000 messages)',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 64)
          throw new Error(`--jobs must be a whole number from 1 to 64`);
        return n;
      },
    )
    .action(async (script: string, maildir: string, opts: FilterOptions) => {
      try {
        process.exitCode = await runFilter(script, maildir, opts);
      } catch (e) {
        process.stderr.write(`tamis filter: ${(e as Error).message}\n`);
        process.exitCode = exitCodeFor(e);
      }
    });
}
