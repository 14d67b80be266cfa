/** API errors: an HTTP status, a stable code the pages translate, English text, and extra fields. */
import { ManageSieveError } from '../managesieve/client/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

/** The session's password no longer opens a ManageSieve session (changed, or the account is gone). */
export class SessionLost extends ApiError {
  constructor() {
    super(401, 'not_logged_in', 'the mail server no longer accepts this session; log in again');
  }
}

export const badInput = (message: string, extra: Record<string, unknown> = {}): ApiError =>
  new ApiError(400, 'invalid_input', message, extra);

/**
 * What a failed ManageSieve command means for the API: the server's NO answers become client
 * errors by their response code; anything else (no connection, BYE, garbage) is a 502.
 */
export function fromManageSieve(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ManageSieveError && err.response === 'NO') {
    const text = err.message.trim() || 'the ManageSieve server refused the command';
    if (err.hasCode('NONEXISTENT')) return new ApiError(404, 'not_found', text);
    if (err.hasCode('QUOTA')) return new ApiError(413, 'quota', text);
    if (err.hasCode('ACTIVE')) return new ApiError(409, 'active', text);
    if (err.hasCode('ALREADYEXISTS')) return new ApiError(409, 'exists', text);
    if (err.hasCode('TRYLATER')) return new ApiError(502, 'managesieve_failed', text);
    return new ApiError(400, 'refused', text);
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (
    code &&
    /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE)$/.test(code)
  )
    return new ApiError(502, 'managesieve_unreachable', `the ManageSieve server cannot be reached (${code})`);
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(502, 'managesieve_failed', `the ManageSieve server failed: ${message}`);
}
