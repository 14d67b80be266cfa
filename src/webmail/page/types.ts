// The JSON shapes of the API as the page uses them (the server's types are not imported: the page is
// a separate browser bundle and only the HTTP contract binds the two).

export type OriginalAction = 'keep' | 'discard' | 'redirect' | 'copy';
export const ORIGINAL_ACTIONS: readonly OriginalAction[] = ['keep', 'discard', 'redirect', 'copy'];

export interface VacationSettings {
  enabled: boolean;
  subject?: string;
  body?: string;
  html?: string;
  from?: string;
  addresses?: string[];
  days?: number;
  seconds?: number;
  start?: string;
  end?: string;
  timezone?: string;
  original?: OriginalAction;
  forwardTo?: string[];
  skipSpam?: boolean;
}

export interface ForwardSettings {
  enabled: boolean;
  to?: string[];
  keepCopy?: boolean;
}

export interface Preview {
  from: string;
  to: string;
  subject: string;
  headers: Record<string, string>;
  text: string;
  html?: string;
}

export interface CheckError {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  severity: string;
  code: string;
  message: string;
}

export interface TestResult {
  actions: Array<Record<string, unknown> & { type: string }>;
  trace: Array<Record<string, unknown> & { kind: string; depth: number; line: number; column: number }>;
  errors: CheckError[];
}
