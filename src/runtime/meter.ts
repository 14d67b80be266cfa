/**
 * The CPU meter of the run in progress. Long loops anywhere in the core (header indexing, value
 * decoding, key comparisons, MIME parsing, body decoding, header editing) charge it with the work
 * they do; every CHECK_EVERY units it reads the clock and ends the run once it is past its limit.
 *
 * The message layer does not know which run reads it (a view is shared by the scripts of a
 * delivery), so the meter of the run in progress is module state rather than a parameter. Runs
 * are synchronous, so at most one is in progress; `start` returns a function that puts back the
 * previous one (an engine used from inside a host query).
 */

/**
 * Work units between clock readings. One unit is about one character or octet of a simple scan;
 * a command or test counts COMMAND_UNITS. 65,536 units take well under a millisecond of the
 * cheapest work and a few milliseconds of the dearest (Unicode normalization, regex), which is
 * the margin by which a run can pass its limit; a clock reading costs about 50 ns.
 */
const CHECK_EVERY = 1 << 16;

/** What a command or test counts, in scan units. */
export const COMMAND_UNITS = 256;

export class CpuMeter {
  private work = 0;
  private readonly deadline: number;

  /**
   * `limitMs` 0 means no limit. `exceeded` throws the error that ends the run; it is called again
   * on every later check, so a caller that swallowed the error still cannot go on for long.
   */
  constructor(
    limitMs: number,
    private readonly clock: () => number,
    private readonly exceeded: () => never,
  ) {
    this.deadline = limitMs > 0 ? clock() + limitMs : Infinity;
  }

  /** Counts `units` of work and checks the clock when enough has been done since the last check. */
  charge(units: number): void {
    this.work += units;
    if (this.work >= CHECK_EVERY) this.check();
  }

  /** Reads the clock now (before a step that cannot be interrupted, such as a regex compilation). */
  check(): void {
    this.work = 0;
    if (this.deadline !== Infinity && this.clock() > this.deadline) this.exceeded();
  }

  /** Makes this the meter that `charge` feeds; returns the function that ends that. */
  start(): () => void {
    const previous = active;
    active = this as CpuMeter;
    return () => {
      active = previous;
    };
  }
}

/**
 * Charges comparing `value` with `keys` keys up front when that is little work, and returns true;
 * returns false when the caller should charge each comparison (a long value, many keys), so a
 * run over its limit stops between two comparisons.
 */
export function chargeComparisons(meter: CpuMeter, value: string, keys: number): boolean {
  const units = (value.length + 16) * keys;
  if (units >= CHECK_EVERY) return false;
  meter.charge(units);
  return true;
}

let active: CpuMeter | null = null;

/** Counts work for the run in progress, if any (outside a run, e.g. at compile time, it is free). */
export function charge(units: number): void {
  if (active !== null) active.charge(units);
}
