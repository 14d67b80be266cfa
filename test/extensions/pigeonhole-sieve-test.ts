/** Pigeonhole's sieve-test over one script and message, for the extensions' differential tests. */
import { createOracle, pigeonholeUnavailable, type Oracle } from '../differential/pigeonhole.js';

/** Why the oracle cannot run here, or null when it can. */
export const oracleMissing: string | null = pigeonholeUnavailable();

let oracle: Oracle | null = null;
let runs = 0;

/**
 * `execute` adds -e: the result is executed (vacation decides whether to send, nothing leaves
 * the machine: sieve-test prints the message instead of sending it).
 */
export function sieveTest(
  script: string,
  message: string,
  opts: { from: string; to: string; execute?: boolean },
): { output: string } {
  oracle ??= createOracle();
  const n = runs++;
  const scriptFile = oracle.write(`ext-${n}.sieve`, script);
  const messageFile = oracle.write(`ext-${n}.eml`, message);
  const args = ['-f', opts.from, '-r', opts.to, ...(opts.execute ? ['-e'] : []), scriptFile, messageFile];
  const r = oracle.runSync('sieve-test', args);
  return { output: `${r.stdout}\n${r.stderr}` };
}
