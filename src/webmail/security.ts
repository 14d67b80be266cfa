/**
 * What every answer carries (CSP and the other security headers) and what every request must show:
 * a live session where one is needed, and for anything but GET and HEAD the session's CSRF token and
 * a same-origin Origin.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { ApiError } from './errors.js';
import type { Session, SessionStore } from './sessions.js';

export const COOKIE_NAME = 'tamis_session';

export function contentSecurityPolicy(frameAncestors: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

export function securityHeaders(reply: FastifyReply, csp: string, api: boolean): void {
  reply.header('Content-Security-Policy', csp);
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('Cross-Origin-Opener-Policy', 'same-origin');
  reply.header('Cross-Origin-Resource-Policy', 'same-origin');
  if (api) reply.header('Cache-Control', 'no-store');
}

/** True when the request came over HTTPS, directly or (with trusted proxies) per X-Forwarded-Proto. */
export const isHttps = (req: FastifyRequest): boolean => req.protocol === 'https';

/**
 * A state-changing request must come from the pages: its Origin (when the browser sends one)
 * is this server's own, and it carries the session's token. `session` null: before login,
 * where only the Origin is checked.
 */
export function checkCsrf(req: FastifyRequest, session: Session | null): void {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const own = `${req.protocol}://${req.host}`;
    if (origin !== own) throw new ApiError(403, 'csrf', 'the request comes from another site');
  }
  if (session === null) return;
  const token = req.headers['x-csrf-token'];
  if (typeof token !== 'string' || !sameText(token, session.csrfToken))
    throw new ApiError(403, 'csrf', 'the X-CSRF-Token header is missing or wrong');
}

/** Compared in constant time, so the token cannot be guessed from how long a refusal takes. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The logged-in session of a request (CSRF checked for non-GET requests), or a 401. */
export function requireSession(
  req: FastifyRequest,
  sessions: SessionStore,
): { session: Session; key: Buffer } {
  const found = sessions.find(req.cookies[COOKIE_NAME]);
  if (!found) throw new ApiError(401, 'not_logged_in', 'not logged in, or the session has expired');
  if (req.method !== 'GET' && req.method !== 'HEAD') checkCsrf(req, found.session);
  return found;
}

export function setSessionCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  value: string,
  maxAgeMs: number,
): void {
  reply.setCookie(COOKIE_NAME, value, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: isHttps(req),
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(COOKIE_NAME, { httpOnly: true, sameSite: 'strict', path: '/', secure: isHttps(req) });
}
