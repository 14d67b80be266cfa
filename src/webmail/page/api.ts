/// <reference lib="dom" />
// The JSON API of docs/webmail.md: one fetch wrapper that sends the CSRF token on writes and turns
// error answers into ApiError.

export interface SessionInfo {
  csrfToken: string;
  user: string;
  extensions: string[];
  maxForwardAddresses: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken = '';
let sessionLost: () => void = () => {};

/** Called when the server says the session is gone (expired, or logged out elsewhere). */
export function onSessionLost(fn: () => void): void {
  sessionLost = fn;
}

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Calls the API; resolves with the parsed JSON (undefined for 204), rejects with ApiError. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    // Relative to the page, so that the pages work behind a proxy that serves them under a prefix.
    res = await fetch(path.replace(/^\//, ''), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e), {});
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const o = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
    const code = typeof o.error === 'string' ? o.error : `http_${res.status}`;
    const message = typeof o.message === 'string' ? o.message : text.slice(0, 200) || res.statusText;
    if (res.status === 401 && code === 'not_logged_in' && path !== '/api/session') sessionLost();
    throw new ApiError(res.status, code, message, o);
  }
  return data as T;
}

/** `/api/scripts/NAME` with the name encoded as one path segment. */
export function scriptPath(name: string, rest = ''): string {
  return `/api/scripts/${encodeURIComponent(name)}${rest}`;
}
