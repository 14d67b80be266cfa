import type { ActionCommandDef, Attachment, TestDef } from './types.js';

/*
 * Typed definitions: the value a definition's compile step returns is the type its run (or test)
 * step receives, inferred from compile, and the definition goes into an Extension's lists as it
 * is. Write `compile` before `run`/`test` so the type is known when the second one is checked.
 */

/** An action command; `run` receives what `compile` returned. */
export function defineCommand<D>(def: ActionCommandDef<D>): ActionCommandDef {
  return def;
}

/** A test; `test` (and `guard`) receive what `compile` returned. */
export function defineTest<D>(def: TestDef<D>): TestDef {
  return def;
}

/** An attachment; `fields` and `action` receive what `compile` returned. */
export function defineAttachment<D>(def: Attachment<D>): Attachment {
  return def;
}
