import { createRequire } from 'node:module';

// The CommonJS build has __filename and no import.meta; the ESM build has import.meta only.
const load = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

/**
 * A CommonJS package loaded on first use rather than at start-up: `tamis deliver` starts a process
 * per message, and packages only some deliveries need (nodemailer, libmime) cost tens of
 * milliseconds each to load.
 */
export function lazily<T>(id: string): () => T {
  let module: T | undefined;
  return () => (module ??= load(id) as T);
}
