export type Severity = 'error' | 'warning';

/** A compile or run-time problem tied to a place in the script. */
export interface Diagnostic {
  severity: Severity;
  /**
   * Stable kebab-case name of the problem (`missing-semicolon`), for programs and translations;
   * the English `message` may change, the code does not.
   */
  code: string;
  message: string;
  line: number;
  column: number;
  /** The script of a sequence the problem is in (runSequence), when there are several. */
  script?: string;
}

/** Thrown by the engine for anything wrong with a script or its run; never a bare Error. */
export class SieveError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'SieveError';
  }
}

/** Formats diagnostics as `name:line:col: severity: message`. */
export function formatDiagnostic(d: Diagnostic, file?: string): string {
  const where = `${d.line}:${d.column}`;
  return `${file ? `${file}:` : ''}${where}: ${d.severity}: ${d.message}`;
}
