export type Severity = 'error' | 'warning';

/** A compile or run-time problem tied to a place in the script. */
export interface Diagnostic {
  severity: Severity;
  message: string;
  line: number;
  column: number;
  /** Stable kebab-case identifier of the problem (`unknown-command`), for tools and translations. */
  code?: string;
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
