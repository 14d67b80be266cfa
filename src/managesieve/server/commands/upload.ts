import { decodeUtf8 } from '../../../scripts/names.js';
import type { Response } from '../../protocol/wire.js';
import type { ServerContext } from '../context.js';
import { diagnosticText, no } from '../responses.js';

/**
 * Compiles an uploaded script (PUTSCRIPT, CHECKSCRIPT): the NO response when it has errors,
 * else the warnings as the text of an OK (WARNINGS), or null when there are none.
 */
export function compileUpload(
  ctx: ServerContext,
  script: Buffer,
  prefix: string,
): { error: Response } | { warnings: string | null } {
  const source = decodeUtf8(script);
  if (source === null) return { error: no(`${prefix}error: script is not valid UTF-8.`) };
  const result = ctx.engine.checkScript(source);
  const max = ctx.limits.maxCompileErrors;
  const errors = result.errors
    .filter((d) => d.severity === 'error')
    .slice(0, max)
    .map((d) => `${prefix}line ${d.line}: error: ${d.message}`);
  if (!result.ok && errors.length === 0) errors.push(`${prefix}error: validation failed.`);
  if (!result.ok || errors.length > 0) return { error: no(diagnosticText(errors)) };
  const warnings = result.warnings.slice(0, max).map((d) => `${prefix}line ${d.line}: warning: ${d.message}`);
  return { warnings: warnings.length ? diagnosticText(warnings) : null };
}
