/**
 * A failure of the SQLite store, with SQLite's code (SQLITE_BUSY, SQLITE_FULL, SQLITE_CORRUPT...).
 * Callers treat every rejection as "cannot tell right now"; `temporary` says whether waiting can
 * help (a lock, a full disk) or an operator must act (a corrupt or foreign file).
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    message: string,
    readonly code: string,
    readonly temporary: boolean,
  ) {
    super(message);
  }
}

const PERMANENT = /^SQLITE_(CORRUPT|NOTADB|SCHEMA|MISMATCH|FORMAT|PERM|READONLY|CANTOPEN|AUTH)/;

/** Wraps what better-sqlite3 (or the file system) threw, naming the file and what was being done. */
export function storeError(file: string, doing: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : 'SQLITE_ERROR';
  return new StoreError(
    `delivery store ${file}: cannot ${doing}: ${(e as Error).message ?? String(e)}`,
    c,
    !PERMANENT.test(c),
  );
}
