import type { TagValue } from '../extensions/types.js';

/**
 * The tags written on one command or test, in order. A node has a few tags at most, so a list of
 * name/value pairs searched in order is both smaller to build and as fast to read as a Map.
 */
export class TagList implements ReadonlyMap<string, TagValue> {
  /** Names and values, alternating. */
  constructor(private readonly items: ReadonlyArray<string | TagValue>) {}

  get size(): number {
    return this.items.length >> 1;
  }

  has(name: string): boolean {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) if (items[i] === name) return true;
    return false;
  }

  get(name: string): TagValue | undefined {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) if (items[i] === name) return items[i + 1] as TagValue;
    return undefined;
  }

  forEach(
    fn: (value: TagValue, name: string, map: ReadonlyMap<string, TagValue>) => void,
    self?: unknown,
  ): void {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2)
      fn.call(self, items[i + 1] as TagValue, items[i] as string, this);
  }

  *entries(): MapIterator<[string, TagValue]> {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) yield [items[i] as string, items[i + 1] as TagValue];
  }

  *keys(): MapIterator<string> {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) yield items[i] as string;
  }

  *values(): MapIterator<TagValue> {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) yield items[i + 1] as TagValue;
  }

  [Symbol.iterator](): MapIterator<[string, TagValue]> {
    return this.entries();
  }
}
