/**
 * The items of `stack` from `from` to `to`, as an array of exactly that size. Short lists are built
 * by array literals, which V8 can allocate straight into the old generation once it sees they live
 * long (an AST or a compiled program); a list grown by push also keeps room for 17 items.
 */
export function takeFrom<T>(stack: T[], from: number, to: number = stack.length): T[] {
  switch (to - from) {
    case 0:
      return [];
    case 1:
      return [stack[from]!];
    case 2:
      return [stack[from]!, stack[from + 1]!];
    case 3:
      return [stack[from]!, stack[from + 1]!, stack[from + 2]!];
    case 4:
      return [stack[from]!, stack[from + 1]!, stack[from + 2]!, stack[from + 3]!];
    default:
      return stack.slice(from, to);
  }
}

/**
 * A stack on which nested lists are gathered before being copied out at their exact size. Its
 * array never shrinks while in use: shortening an array with `length = n` lets V8 give back its
 * storage, which the next push then allocates again.
 */
export class ListStack<T> {
  private items: T[] = [];
  /** Number of items on the stack; a list being gathered starts at the value it had then. */
  top = 0;

  push(item: T): void {
    this.items[this.top++] = item;
  }

  /** Removes the items from `from` on and returns them as an array of their exact size. */
  take(from: number): T[] {
    const list = takeFrom(this.items, from, this.top);
    this.top = from;
    return list;
  }

  /** Empties the stack and lets go of everything it held. */
  clear(): void {
    this.items = [];
    this.top = 0;
  }
}
