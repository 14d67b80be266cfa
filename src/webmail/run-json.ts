/** The JSON of a run for /api/test and of diagnostics for /api/check and script uploads. */
import type { Action, Diagnostic, TraceEvent } from '../index.js';

/** How actions and trace events become JSON: the command line's `tamis test --json --trace` shapes. */
export interface RunJson {
  action(a: Action): Record<string, unknown>;
  trace(e: TraceEvent): Record<string, unknown>;
}

/** Used when no formatter is given: the fields as they are, without the internal ones. */
export const PLAIN_RUN_JSON: RunJson = {
  action(a) {
    if (a.type === 'other') return { type: a.name, ...a.fields };
    const { pos: _pos, message: _message, ...rest } = a as unknown as Record<string, unknown>;
    return rest;
  },
  trace(e) {
    const { pos, ...rest } = e;
    return { ...rest, line: pos.line, column: pos.column };
  },
};

export interface DiagnosticJson {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  severity: string;
  code: string;
  message: string;
}

/** A diagnostic as the API gives it (the end of its range when the engine knows it). */
export function diagnosticJson(d: Diagnostic): DiagnosticJson {
  const out: DiagnosticJson = {
    line: d.line,
    column: d.column,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
  const end = d as Diagnostic & { endLine?: number; endColumn?: number };
  if (typeof end.endLine === 'number') out.endLine = end.endLine;
  if (typeof end.endColumn === 'number') out.endColumn = end.endColumn;
  return out;
}
