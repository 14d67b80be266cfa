import type { CompileResult } from './engine-types.js';

/** A script a compile included, as it read then (null: it did not exist). */
export interface ScriptDependency {
  name: string;
  location: 'personal' | 'global';
  text: string | null;
}

interface Entry {
  result: CompileResult;
  deps: ScriptDependency[];
  bytes: number;
}

// Strings hold two bytes per UTF-16 unit: the memory the cache keeps, without an encoding pass.
const sourceBytes = (s: string): number => s.length * 2;

/**
 * Compiles kept by their key (the source with its context), least recently used dropped first
 * once the sources they hold pass `limit` bytes. Each keeps the scripts it included, which the
 * caller reads again on a hit: a hit counts only while none of them changed.
 */
export class CompileCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(readonly limit: number) {}

  /** Bytes of source held now. */
  get size(): number {
    return this.bytes;
  }

  /** The kept compile and what it included, without touching its place in the order. */
  peek(key: string): Readonly<Entry> | undefined {
    return this.entries.get(key);
  }

  /** Marks a kept compile as used now, or drops it when what it included changed. */
  settle(key: string, entry: Readonly<Entry>, unchanged: boolean): void {
    // Another caller may have replaced or dropped it meanwhile (compiles may await their loader).
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    if (unchanged) this.entries.set(key, entry);
    else this.bytes -= entry.bytes;
  }

  /** Keeps a compile; one larger than the whole cache is not kept. */
  add(key: string, result: CompileResult, deps: ScriptDependency[]): void {
    const bytes = sourceBytes(key) + deps.reduce((n, d) => n + sourceBytes(d.text ?? ''), 0);
    if (bytes > this.limit) return;
    const old = this.entries.get(key);
    if (old) this.settle(key, old, false);
    this.entries.set(key, { result, deps, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.limit) break;
      this.settle(k, e, false);
    }
  }
}
