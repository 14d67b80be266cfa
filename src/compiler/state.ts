/**
 * A key of per-compile or per-run extension state, typed by what it holds. Two extensions never
 * clash as long as their names differ; the name is also what a seeded state map is keyed by.
 */
export type StateKey<T> = string & { readonly __holds?: T };

/** Makes a typed state key; by convention the name starts with the owning capability. */
export function stateKey<T>(name: string): StateKey<T> {
  return name as StateKey<T>;
}

/**
 * Extension state: a map whose typed keys say what each value is, so reading it needs no cast.
 * It wraps a Map rather than extending one: a run makes one, and a Map subclass costs several
 * times a Map to make and to read.
 */
export class StateBag {
  private readonly map: Map<string, unknown>;

  constructor(entries?: Iterable<readonly [string, unknown]> | null) {
    this.map = new Map(entries ?? undefined);
  }

  get<T>(key: StateKey<T>): T | undefined {
    return this.map.get(key) as T | undefined;
  }

  set<T>(key: StateKey<T>, value: T): this {
    this.map.set(key, value);
    return this;
  }

  has(key: StateKey<unknown>): boolean {
    return this.map.has(key);
  }

  delete(key: StateKey<unknown>): boolean {
    return this.map.delete(key);
  }

  /** The value of a key, made by `init` on first use. */
  obtain<T>(key: StateKey<T>, init: () => T): T {
    const map = this.map;
    if (map.has(key)) return map.get(key) as T;
    const value = init();
    map.set(key, value);
    return value;
  }

  /** The entries, as a seed for another compile's state. */
  entries(): IterableIterator<[string, unknown]> {
    return this.map.entries();
  }
}
