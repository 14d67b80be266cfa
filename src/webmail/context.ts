/** What the route groups share: options resolved to values, the sessions, and ManageSieve access. */
import type { FastifyRequest } from 'fastify';
import type { ManageSieveClient } from '../managesieve/client/index.js';
import type { AuthThrottle } from '../managesieve/server/throttle.js';
import type { SieveEngine } from '../index.js';
import { fromManageSieve, SessionLost } from './errors.js';
import type { ManageSieveTarget, WebmailLimits, WebmailLogger } from './options.js';
import type { RunJson } from './run-json.js';
import { requireSession } from './security.js';
import { unseal } from './seal.js';
import type { Session, SessionStore } from './sessions.js';

export interface WebmailContext {
  target: ManageSieveTarget;
  limits: WebmailLimits;
  sessions: SessionStore;
  throttle: AuthThrottle;
  engine: SieveEngine;
  runJson: RunJson;
  scriptName: string;
  logger: WebmailLogger;
}

/** A request's session, and a way to run ManageSieve commands in it with errors mapped for the API. */
export interface Authed {
  session: Session;
  sieve<T>(fn: (client: ManageSieveClient) => Promise<T>): Promise<T>;
}

export function authed(ctx: WebmailContext, req: FastifyRequest): Authed {
  const { session, key } = requireSession(req, ctx.sessions);
  return {
    session,
    async sieve(fn) {
      try {
        return await session.link.use(() => unseal(session.sealed, key), fn);
      } catch (err) {
        if (err instanceof SessionLost) ctx.sessions.end(session.id);
        throw fromManageSieve(err);
      }
    },
  };
}

/** The largest script the server takes: its announced limit if any, else the configured one. */
export function maxScriptSize(ctx: WebmailContext, session: Session | null): number {
  const raw = session?.link.capabilities?.raw.get('MAXSCRIPTSIZE');
  return raw && /^\d+$/.test(raw) ? Number(raw) : ctx.limits.maxScriptSize;
}
