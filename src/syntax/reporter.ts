import type { Diagnostic } from '../diagnostics.js';

/** Thrown when the error limit is reached; the parse stops and returns what it has. */
export class TooManyErrors extends Error {
  constructor() {
    super('too many errors');
    this.name = 'TooManyErrors';
  }
}

interface Entry {
  diagnostic: Diagnostic;
  offset: number;
}

/** Collects syntax errors from the scanner and the parser, with a cap on their number. */
export class Reporter {
  private readonly entries: Entry[] = [];
  private overflow: Diagnostic | null = null;

  constructor(private readonly maxErrors: number) {}

  get count(): number {
    return this.entries.length;
  }

  get full(): boolean {
    return this.overflow !== null;
  }

  error(code: string, message: string, line: number, column: number, offset: number): void {
    if (this.overflow) throw new TooManyErrors();
    if (this.entries.length >= this.maxErrors) {
      this.overflow = {
        severity: 'error',
        code: 'too-many-errors',
        message: `too many errors (more than ${this.maxErrors}), stopped here`,
        line,
        column,
      };
      throw new TooManyErrors();
    }
    this.entries.push({ diagnostic: { severity: 'error', code, message, line, column }, offset });
  }

  /** Diagnostics in script order; the "too many errors" note, if any, comes last. */
  result(): Diagnostic[] {
    const sorted = this.entries.slice().sort((a, b) => a.offset - b.offset);
    const out = sorted.map((e) => e.diagnostic);
    if (this.overflow) out.push(this.overflow);
    return out;
  }
}
