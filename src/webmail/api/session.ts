/** POST /api/login, GET /api/session, POST /api/logout. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ManageSieveError } from '../../managesieve/client/index.js';
import { MAX_FORWARD_ADDRESSES } from '../../autoresponder/index.js';
import { SieveLink, openClient } from '../connection.js';
import type { WebmailContext } from '../context.js';
import { ApiError, badInput, fromManageSieve } from '../errors.js';
import { checkCsrf, clearSessionCookie, COOKIE_NAME, setSessionCookie } from '../security.js';
import type { Session } from '../sessions.js';
import { field, objectBody } from './input.js';

const MAX_USER_LENGTH = 256;
const MAX_PASSWORD_LENGTH = 1024;

function sessionJson(s: Session): Record<string, unknown> {
  return {
    csrfToken: s.csrfToken,
    user: s.user,
    extensions: s.extensions,
    maxForwardAddresses: MAX_FORWARD_ADDRESSES,
  };
}

function credentials(body: unknown): { user: string; password: string } {
  const o = objectBody(body);
  const user = field(o, 'user', 'string');
  const password = field(o, 'password', 'string');
  if (!user || user.length > MAX_USER_LENGTH || /[\x00-\x1f\x7f]/.test(user))
    throw badInput(`user must be 1 to ${MAX_USER_LENGTH} characters without control characters`, {
      field: 'user',
    });
  if (!password || password.length > MAX_PASSWORD_LENGTH || password.includes('\0'))
    throw badInput(`password must be 1 to ${MAX_PASSWORD_LENGTH} characters without NUL`, {
      field: 'password',
    });
  return { user, password };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerSessionRoutes(app: FastifyInstance, ctx: WebmailContext): void {
  app.post('/api/login', async (req: FastifyRequest, reply: FastifyReply) => {
    checkCsrf(req, null);
    const { user, password } = credentials(req.body);
    const address = req.ip;
    if (!(await ctx.throttle.acquire(address, user)))
      throw new ApiError(429, 'rate_limited', 'too many failed logins; try again later');
    let outcome: 'success' | 'failure' | 'abandoned' = 'abandoned';
    try {
      const client = await openClient(ctx.target, user, password).catch((err: unknown) => {
        if (err instanceof ManageSieveError && err.command === 'AUTHENTICATE' && err.response === 'NO') {
          outcome = 'failure';
          return null;
        }
        throw fromManageSieve(err);
      });
      if (!client) {
        ctx.logger.warn(`webmail: failed login for ${JSON.stringify(user)} from ${address}`);
        await sleep(ctx.throttle.delayMs(address, user));
        throw new ApiError(401, 'auth_failed', 'wrong user name or password');
      }
      outcome = 'success';
      const old = ctx.sessions.find(req.cookies[COOKIE_NAME]);
      if (old) ctx.sessions.end(old.session.id);
      const link = new SieveLink(ctx.target, user, ctx.limits.connectionIdleMs, client);
      const { session, cookie } = ctx.sessions.create(user, password, link, {
        extensions: client.capabilities.sieve,
        maxRedirects: client.capabilities.maxRedirects,
      });
      setSessionCookie(req, reply, cookie, ctx.limits.sessionMaxAgeMs);
      ctx.logger.info(`webmail: ${user} logged in from ${address}`);
      return sessionJson(session);
    } finally {
      // A failure is counted after its delay, so parallel guesses wait for each other.
      ctx.throttle.settle(address, user, outcome);
    }
  });

  app.get('/api/session', async (req) => {
    const found = ctx.sessions.find(req.cookies[COOKIE_NAME]);
    if (!found) throw new ApiError(401, 'not_logged_in', 'not logged in, or the session has expired');
    return sessionJson(found.session);
  });

  app.post('/api/logout', async (req, reply) => {
    const found = ctx.sessions.find(req.cookies[COOKIE_NAME]);
    if (found) {
      checkCsrf(req, found.session);
      ctx.sessions.end(found.session.id);
    }
    clearSessionCookie(req, reply);
    return reply.code(204).send();
  });
}
