/**
 * The webmail settings service: a fastify app serving the pages at `/` and the JSON API under
 * `/api/`, where every request is checked again (session, CSRF, Origin, input) on the server.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { AuthThrottle } from '../managesieve/server/throttle.js';
import { SieveEngine } from '../index.js';
import { registerCheckRoutes } from './api/check.js';
import { registerPreviewRoutes } from './api/preview.js';
import { registerRuleRoutes } from './api/rules.js';
import { registerScriptRoutes } from './api/scripts.js';
import { registerSessionRoutes } from './api/session.js';
import type { WebmailContext } from './context.js';
import { ApiError } from './errors.js';
import { DEFAULT_SCRIPT_NAME, DEFAULT_WEBMAIL_LIMITS, type WebmailServerOptions } from './options.js';
import { PLAIN_RUN_JSON } from './run-json.js';
import { contentSecurityPolicy, securityHeaders } from './security.js';
import { SessionStore } from './sessions.js';

export interface WebmailServer {
  /** The fastify instance (for `inject` in tests). */
  app: FastifyInstance;
  listen(port: number, host: string): Promise<{ host: string; port: number; url: string }>;
  close(): Promise<void>;
  /** Sessions open now. */
  readonly sessionCount: number;
}

const QUIET = { info() {}, warn() {}, error() {} };

/** Maps fastify's own errors (body too large, bad JSON, wrong content type) to the API's shape. */
function errorBody(err: FastifyError | ApiError): { status: number; body: Record<string, unknown> } {
  if (err instanceof ApiError) return { status: err.status, body: err.body() };
  const status = err.statusCode ?? 500;
  if (status === 413)
    return { status, body: { error: 'too_large', message: 'the request body is too large' } };
  if (status === 415)
    return { status: 400, body: { error: 'invalid_input', message: 'the request body must be JSON' } };
  if (status >= 400 && status < 500)
    return { status: 400, body: { error: 'invalid_input', message: err.message } };
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}

export function createWebmailServer(options: WebmailServerOptions): WebmailServer {
  const limits = { ...DEFAULT_WEBMAIL_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const engine = options.engine ?? new SieveEngine();
  if (!options.limits?.maxScriptSize) limits.maxScriptSize = engine.config.maxScriptSize;
  const logger = options.logger ?? QUIET;
  const ctx: WebmailContext = {
    target: options.managesieve,
    limits,
    sessions: new SessionStore(
      { idleMs: limits.sessionIdleMs, maxAgeMs: limits.sessionMaxAgeMs, maxSessions: limits.maxSessions },
      now,
    ),
    throttle: new AuthThrottle(options.loginThrottle, now),
    engine,
    runJson: options.runJson ?? PLAIN_RUN_JSON,
    scriptName: options.scriptName ?? DEFAULT_SCRIPT_NAME,
    logger,
  };
  const trusted = options.trustedProxies ?? [];
  const app = Fastify({
    trustProxy: trusted.length ? trusted : false,
    bodyLimit: limits.maxSettingsBody,
    logger: false,
    // The API has no optional trailing slashes or case games: one spelling per route.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true },
  });
  const csp = contentSecurityPolicy(options.frameAncestors ?? ["'self'"]);

  void app.register(fastifyCookie);
  // Fastify's own JSON parser (it refuses __proto__ and constructor keys), except that an empty body
  // is no body: a POST without data may still say it is JSON.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') done(null, undefined);
    else json(req, body as string, done);
  });
  app.addHook('onRequest', async (req, reply) => {
    securityHeaders(reply, csp, req.url.startsWith('/api/'));
  });
  app.setErrorHandler((err: FastifyError | ApiError, _req, reply) => {
    const { status, body } = errorBody(err);
    if (status >= 500 && !(err instanceof ApiError)) logger.error(`webmail: ${err.stack ?? err.message}`);
    void reply.code(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .send({ error: 'not_found', message: `no such resource: ${req.method} ${req.url.split('?')[0]}` });
  });

  registerSessionRoutes(app, ctx);
  registerRuleRoutes(app, ctx);
  registerPreviewRoutes(app, ctx);
  registerScriptRoutes(app, ctx);
  registerCheckRoutes(app, ctx);

  const pageDir = options.pageDir ? path.resolve(options.pageDir) : null;
  if (pageDir && existsSync(path.join(pageDir, 'index.html'))) {
    void app.register(fastifyStatic, { root: pageDir, prefix: '/', index: ['index.html'], dotfiles: 'deny' });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The webmail pages are not built (run npm run build, or set webmail.pageDir).\n'),
    );
  }

  const sweep = setInterval(() => ctx.sessions.sweep(), limits.sweepIntervalMs);
  sweep.unref();

  return {
    app,
    get sessionCount() {
      return ctx.sessions.size;
    },
    async listen(port, host) {
      await app.listen({ port, host });
      const addr = app.server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      const shown = host.includes(':') ? `[${host}]` : host;
      return { host, port: bound, url: `http://${shown}:${bound}/` };
    },
    async close() {
      clearInterval(sweep);
      ctx.sessions.closeAll();
      await app.close();
    },
  };
}
