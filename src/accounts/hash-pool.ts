import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { VerifyJob } from './hash-worker.js';
import { splitScheme, verifyPassword } from './schemes.js';

/** Thrown when the pool's queue is full or a check waited too long: the caller answers "try later". */
export class HashPoolBusyError extends Error {
  override readonly name = 'HashPoolBusyError';
}

export interface HashPoolOptions {
  /** Worker threads. Default: the number of CPUs. */
  size?: number;
  /** Checks waiting for a worker beyond these are refused at once. Default 1,000. */
  maxQueue?: number;
  /** A check that has not started within this many ms is refused. Default 5,000. */
  maxWaitMs?: number;
}

// Schemes cheap enough to check on the calling thread: a message to a worker would cost more.
const CHEAP = new Set(['PLAIN', 'CLEAR', 'CLEARTEXT']);

interface Pending {
  job: VerifyJob;
  queuedAt: number;
  resolve(ok: boolean): void;
  reject(e: Error): void;
}

/**
 * Verifies password hashes on worker threads, so a slow hash (SHA-crypt, bcrypt, Argon2, SCRAM)
 * never stalls the event loop that serves other sessions. Workers start on first use and are
 * unref'd: an idle pool does not keep the process alive.
 */
export class HashPool {
  private readonly size: number;
  private readonly maxQueue: number;
  private readonly maxWaitMs: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private started = 0;
  private nextId = 1;
  private closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism());
    this.maxQueue = options.maxQueue ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 5000;
  }

  /** Same answer as `verifyPassword`; rejects with HashPoolBusyError when overloaded. */
  verify(password: string, stored: string, defaultScheme = 'CRYPT'): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error('hash pool is closed'));
    const scheme = splitScheme(stored).scheme ?? defaultScheme.toUpperCase();
    if (CHEAP.has(scheme) || password === '') return verifyPassword(password, stored, defaultScheme);
    if (this.queue.length >= this.maxQueue)
      return Promise.reject(new HashPoolBusyError('too many password checks waiting'));
    return new Promise((resolve, reject) => {
      this.queue.push({
        job: { id: this.nextId++, password, stored, defaultScheme },
        queuedAt: Date.now(),
        resolve,
        reject,
      });
      this.pump();
    });
  }

  /** Checks waiting for a worker. */
  get waiting(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('hash pool is closed'));
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.started < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const next = this.queue.shift()!;
      if (Date.now() - next.queuedAt > this.maxWaitMs) {
        this.idle.push(worker);
        next.reject(new HashPoolBusyError('password check waited too long'));
        continue;
      }
      this.busy.set(worker, next);
      worker.ref();
      worker.postMessage(next.job);
    }
  }

  private spawn(): Worker {
    this.started++;
    const w = workerThread();
    w.unref();
    w.on('message', (m: { id: number; ok: boolean }) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      w.unref();
      if (!this.closed) this.idle.push(w);
      if (p && p.job.id === m.id) p.resolve(m.ok);
      this.pump();
    });
    w.on('error', (e) => this.lost(w, e));
    w.on('exit', (code) => this.lost(w, new Error(`hash worker exited with code ${code}`)));
    return w;
  }

  /** A worker died: its check fails closed (an error, never a match) and a new one may start. */
  private lost(w: Worker, e: Error): void {
    const p = this.busy.get(w);
    this.busy.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    else if (!p) return;
    this.started--;
    p?.reject(e);
    if (!this.closed) this.pump();
  }
}

/**
 * Starts a worker on the hash worker's code: beside this module in the package build
 * (`dist/accounts/hash-worker.js`) or the command-line bundle, or in the TypeScript sources, which
 * the worker loads through tsx (a development dependency) as the tests do.
 */
function workerThread(): Worker {
  for (const rel of ['./accounts/hash-worker.js', '../accounts/hash-worker.js']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return new Worker(file);
  }
  const source = new URL('./hash-worker.ts', import.meta.url).href;
  return new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`,
    { eval: true },
  );
}
