import type { Diagnostic } from './diagnostics.js';

export interface CheckResult {
  ok: boolean;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** Compiles a script only to report problems (what ManageSieve's PUTSCRIPT and CHECKSCRIPT need). */
export function checkScript(_source: string): CheckResult {
  throw new Error('checkScript: engine not wired yet');
}

/** Standard capability names of the enabled extensions, as ManageSieve advertises them (no test-only ones). */
export function sieveCapabilities(): string[] {
  throw new Error('sieveCapabilities: engine not wired yet');
}
