/**
 * A key of per-compile or per-run extension state, typed by what it holds. Two extensions never
 * clash as long as their names differ; the name is also what a seeded state map is keyed by.
 */
export type StateKey<T> = string & { readonly __holds?: T };

/** Makes a typed state key; by convention the name starts with the owning capability. */
export function stateKey<T>(name: string): StateKey<T> {
  return name as StateKey<T>;
}

/** Extension state: a map whose typed keys say what each value is, so reading it needs no cast. */
export class StateBag extends Map<string, unknown> {
  override get<T>(key: StateKey<T>): T | undefined {
    return super.get(key) as T | undefined;
  }

  override set<T>(key: StateKey<T>, value: T): this {
    return super.set(key, value);
  }

  /** The value of a key, made by `init` on first use. */
  obtain<T>(key: StateKey<T>, init: () => T): T {
    if (super.has(key)) return super.get(key) as T;
    const value = init();
    super.set(key, value);
    return value;
  }
}
