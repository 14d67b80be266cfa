import type { CompileResult, SieveEngine } from '../../../index.js';
import { createIncludeLoader, type IncludeLoader } from '../../../scripts/include-loader.js';
import { decodeUtf8 } from '../../../scripts/names.js';
import type { Response } from '../../protocol/wire.js';
import type { ServerContext } from '../context.js';
import { diagnosticText, no } from '../responses.js';

/** The engine's asynchronous compile, where it has one: includes are read through `loadScript`. */
interface AsyncCompiler {
  compileAsync(
    source: string,
    options: {
      loadScript?: (name: string, location: 'personal' | 'global') => Promise<string | null> | string | null;
      upload?: boolean;
    },
  ): Promise<CompileResult>;
}

/**
 * Compiles in upload mode, where a missing personal include is only a warning. An engine without
 * `compileAsync` compiles synchronously, with no loader of its own.
 */
export async function compileForUpload(
  engine: SieveEngine,
  source: string,
  loadScript: IncludeLoader,
): Promise<CompileResult> {
  const e = engine as SieveEngine & Partial<AsyncCompiler>;
  if (typeof e.compileAsync === 'function') return e.compileAsync(source, { loadScript, upload: true });
  return engine.compile(source);
}

/**
 * Compiles an uploaded script (PUTSCRIPT, CHECKSCRIPT) of `user`: the NO response when it has
 * errors, else the warnings as the text of an OK (WARNINGS), or null when there are none.
 */
export async function compileUpload(
  ctx: ServerContext,
  user: string,
  script: Buffer,
  prefix: string,
): Promise<{ error: Response } | { warnings: string | null }> {
  const source = decodeUtf8(script);
  if (source === null) return { error: no(`${prefix}error: script is not valid UTF-8.`) };
  const loader = createIncludeLoader({ store: ctx.store, user, globalDir: ctx.globalScriptsDir });
  const result = await compileForUpload(ctx.engine, source, loader);
  const max = ctx.limits.maxCompileErrors;
  const errors = result.errors.slice(0, max).map((d) => `${prefix}line ${d.line}: error: ${d.message}`);
  // With maxCompileErrors 0 the script is still refused, without details.
  if (result.errors.length > 0 && errors.length === 0) errors.push(`${prefix}error: validation failed.`);
  if (errors.length > 0) return { error: no(diagnosticText(errors)) };
  const warnings = result.warnings.slice(0, max).map((d) => `${prefix}line ${d.line}: warning: ${d.message}`);
  return { warnings: warnings.length ? diagnosticText(warnings) : null };
}
