// The JSON shapes of the API as the page uses them, from the server's own types (type-only, plus one
// constant, so the browser bundle takes no server code); what the page holds while a form is filled
// may lack any field but `enabled`.
import type {
  ForwardSettings as FullForward,
  OriginalAction,
  VacationSettings as FullVacation,
} from '../../autoresponder/types.js';
import type { DiagnosticJson } from '../run-json.js';

export type { OriginalAction };
export { ORIGINAL_ACTIONS } from '../../autoresponder/types.js';

export type VacationSettings = Partial<FullVacation> & { enabled: boolean };
export type ForwardSettings = Partial<FullForward> & { enabled: boolean };

export interface Preview {
  from: string;
  to: string;
  subject: string;
  headers: Record<string, string>;
  text: string;
  html?: string;
}

/** A diagnostic as /api/check and /api/test give it. */
export type CheckError = DiagnosticJson;

export interface TestResult {
  actions: Array<Record<string, unknown> & { type: string }>;
  trace: Array<Record<string, unknown> & { kind: string; depth: number; line: number; column: number }>;
  errors: CheckError[];
}
