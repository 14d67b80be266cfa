import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import type { Action } from '../runtime/result.js';
import { shortAction } from './format.js';
import { assertMaildir, countMaildir, maildirMessages } from './maildir-reader.js';
import { compileScriptFile, createEngine, envelopeFor, messageJson, unreadableJson } from './test.js';

export interface FilterOptions {
  json?: boolean;
  config?: string;
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
class FileReader {
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
        if (n === 0) break;
        len += n;
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

/** Where a message ends up, for the closing summary. */
function outcomes(actions: Action[]): string[] {
  return actions.map((a) =>
    a.type === 'keep' || a.type === 'fileinto'
      ? `stored in ${a.mailbox}`
      : a.type === 'other'
        ? a.name
        : a.type,
  );
}

/**
 * `tamis filter`: runs a script over every message of a Maildir folder without changing
 * anything. Messages are read and handled one at a time; only per-outcome counters are kept.
 */
export async function runFilter(scriptFile: string, maildir: string, opts: FilterOptions): Promise<number> {
  assertMaildir(maildir);
  const engine = await createEngine(opts.config);
  const compiled = await compileScriptFile(engine, scriptFile, !!opts.json);
  if (!compiled) return 1;
  const { parseMessage } = await import('../message/index.js');
  const out = new BlockWriter(1);
  const progress = process.stderr.isTTY ? new Progress(countMaildir(maildir)) : null;
  const counts = new Map<string, number>();
  const reader = new FileReader();
  let total = 0;
  let failed = 0;
  for (const file of maildirMessages(maildir)) {
    total++;
    if (progress && (total & 63) === 0) progress.update(total);
    let raw: Buffer;
    try {
      raw = reader.read(file);
    } catch (e) {
      // A message moved away by a concurrent reader is not an error of the script.
      failed++;
      if (opts.json) out.line(unreadableJson(file, e));
      else out.line(`${file}: unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      continue;
    }
    const view = parseMessage(raw);
    const result = engine.run(compiled.program, view, envelopeFor(view));
    if (result.status === 'error') failed++;
    if (opts.json) {
      out.line(messageJson(file, result));
    } else {
      const what = result.actions.map(shortAction).join(', ');
      out.line(`${file}: ${result.status === 'error' ? `error: ${result.errors[0]?.message}; ` : ''}${what}`);
      for (const o of outcomes(result.actions)) counts.set(o, (counts.get(o) ?? 0) + 1);
    }
  }
  out.flush();
  progress?.end();
  if (!opts.json) {
    const summary = [...counts].map(([k, v]) => `${k}: ${v}`).join(', ');
    process.stderr.write(
      `${total} messages${failed ? `, ${failed} with errors` : ''}${summary ? `; ${summary}` : ''}\n`,
    );
  }
  return failed ? 1 : 0;
}

export function registerFilter(program: Command): void {
  program
    .command('filter')
    .description('run a script over every message of a Maildir folder without changing anything')
    .argument('<script>', 'Sieve script')
    .argument('<maildir>', 'Maildir folder (with new/ and cur/)')
    .option('--json', 'one JSON line per message')
    .option('--config <file>', 'engine settings as JSON')
    .action(async (script: string, maildir: string, opts: FilterOptions) => {
      try {
        process.exitCode = await runFilter(script, maildir, opts);
      } catch (e) {
        process.stderr.write(`tamis filter: ${(e as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
