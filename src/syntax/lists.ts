/**
 * The items of `stack` from `from` on, as an array of exactly that size. Short lists are built by
 * array literals, which V8 can allocate straight into the old generation once it sees they live
 * long (an AST or a compiled program); a list grown by push also keeps room for 17 items.
 */
export function takeFrom<T>(stack: T[], from: number): T[] {
  switch (stack.length - from) {
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
      return stack.slice(from);
  }
}
