import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { createRequire } from 'node:module';
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

/** Runs the script over some messages; shared by the single-threaded path and the workers. */
export function filterFiles(
  cx: FilterContext,
  files: Iterable<string>,
  sink: (line: string) => void,
): BatchResult {
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
  return { lines: [], counts: [...counts], failed };
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

/** Messages handed to a worker at a time, and batches in flight per worker (bounds memory). */
const BATCH = 200;
const IN_FLIGHT = 2;
/**
 * `tamis filter`: runs a script over every message of a Maildir folder without changing
 * anything. Messages are streamed from the directory and run one after the other; with --jobs
 * the folder is shared between worker threads instead (each compiles the script and warms up on
 * its own, so this pays only for large folders on idle cores). Output stays in folder order and
 * only a bounded number of batches is in flight.
 */
export async function runFilter(scriptFile: string, maildir: string, opts: FilterOptions): Promise<number> {
  assertMaildir(maildir);
  const workers = opts.jobs ?? 1;
  const engine = await createEngine(opts.config, warnOn('filter'));
  const chain = await compileChain(engine, scriptFile, opts, !!opts.json);
  if (!chain) return 1;
  const progress = process.stderr.isTTY ? new Progress(countMaildir(maildir)) : null;
  const out = new BlockWriter(1);
  const counts = new Map<string, number>();
  let failed = 0;
  let done = 0;
  const add = (r: BatchResult, n: number) => {
    failed += r.failed;
    for (const [k, v] of r.counts) counts.set(k, (counts.get(k) ?? 0) + v);
    done += n;
    progress?.update(done);
  };

  if (workers > 1) {
    await filterInWorkers(
      workers,
      {
        script: scriptFile,
        config: opts.config,
        json: !!opts.json,
        before: opts.before ?? [],
        after: opts.after ?? [],
      },
      maildir,
      (r, n) => {
        for (const line of r.lines) out.line(line);
        add(r, n);
      },
    );
  } else {
    const { parseMessage } = await import('../index.js');
    const cx: FilterContext = {
      engine,
      chain,
      json: !!opts.json,
      parseMessage,
      reader: new FileReader(),
    };
    let batch: string[] = [];
    const flush = () => {
      add(
        filterFiles(cx, batch, (line) => out.line(line)),
        batch.length,
      );
      batch = [];
    };
    for (const file of maildirMessages(maildir)) {
      batch.push(file);
      if (batch.length === 64) flush();
    }
    flush();
  }
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

/** Shares the folder between worker threads running this same program (see cli.ts). */
async function filterInWorkers(
  count: number,
  setup: FilterWorkerSetup,
  maildir: string,
  emit: (r: BatchResult, n: number) => void,
): Promise<void> {
  // Loaded here: only --jobs needs worker threads. (require, since the command line runs as a
  // script, where import() of a built-in module is not available.)
  const threads = createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;
  const files = maildirMessages(maildir);
  let nextId = 0;
  let nextToEmit = 0;
  let exhausted = false;
  const pending = new Map<number, { r: BatchResult; n: number }>();
  const sizes = new Map<number, number>();

  await new Promise<void>((resolve, reject) => {
    let live = 0;
    const workers: WorkerThreads.Worker[] = [];
    const feed = (w: WorkerThreads.Worker) => {
      if (exhausted) return false;
      const batch: string[] = [];
      for (
        let f = files.next();
        !f.done;
        f = batch.length < BATCH ? files.next() : { done: true, value: undefined }
      ) {
        batch.push(f.value);
      }
      if (batch.length < BATCH) exhausted = true;
      if (!batch.length) return false;
      const id = nextId++;
      sizes.set(id, batch.length);
      w.postMessage({ id, files: batch });
      return true;
    };
    const finish = () => {
      for (const w of workers) void w.terminate();
      resolve();
    };
    for (let i = 0; i < count; i++) {
      const w = new threads.Worker(process.argv[1]!, { argv: [FILTER_WORKER_ARG], workerData: { setup } });
      workers.push(w);
      let inFlight = 0;
      w.on('message', (msg: { id: number; result: BatchResult }) => {
        inFlight--;
        pending.set(msg.id, { r: msg.result, n: sizes.get(msg.id)! });
        sizes.delete(msg.id);
        for (let p = pending.get(nextToEmit); p; p = pending.get(nextToEmit)) {
          pending.delete(nextToEmit++);
          emit(p.r, p.n);
        }
        while (inFlight < IN_FLIGHT && feed(w)) inFlight++;
        if (inFlight === 0 && --live === 0) finish();
      });
      w.on('error', reject);
      live++;
      while (inFlight < IN_FLIGHT && feed(w)) inFlight++;
      if (inFlight === 0) live--;
    }
    if (live === 0) finish();
  });
}

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
    .option('--jobs <n>', 'worker threads running the script (default: 1)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 64)
        throw new Error(`--jobs must be a whole number from 1 to 64`);
      return n;
    })
    .action(async (script: string, maildir: string, opts: FilterOptions) => {
      try {
        process.exitCode = await runFilter(script, maildir, opts);
      } catch (e) {
        process.stderr.write(`tamis filter: ${(e as Error).message}\n`);
        process.exitCode = exitCodeFor(e);
      }
    });
}
