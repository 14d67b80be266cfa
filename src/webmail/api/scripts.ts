/** /api/scripts: list, read, write, delete, activate and deactivate the user's scripts. */
import type { FastifyInstance } from 'fastify';
import { authed, maxScriptSize, type WebmailContext } from '../context.js';
import { ApiError } from '../errors.js';
import { diagnosticJson } from '../run-json.js';
import { field, limitSize, objectBody, scriptName } from './input.js';

type Named = { Params: { name: string } };

export function registerScriptRoutes(app: FastifyInstance, ctx: WebmailContext): void {
  app.get('/api/scripts', async (req) => {
    const scripts = await authed(ctx, req).sieve((c) => c.listScripts());
    return { scripts: scripts.map((s) => ({ name: s.name, active: s.active })) };
  });

  // Before /api/scripts/:name/activate and the like, so that "deactivate" is not taken for a name.
  app.post('/api/scripts/deactivate', async (req, reply) => {
    await authed(ctx, req).sieve((c) => c.setActive(''));
    return reply.code(204).send();
  });

  app.get<Named>('/api/scripts/:name', async (req) => {
    const a = authed(ctx, req);
    const name = scriptName(req.params.name);
    return a.sieve(async (c) => {
      const content = await c.getScript(name);
      const active = (await c.listScripts()).some((s) => s.active && s.name === name);
      return { name, active, content };
    });
  });

  app.put<Named>('/api/scripts/:name', { bodyLimit: scriptBodyLimit(ctx) }, async (req) => {
    const a = authed(ctx, req);
    const name = scriptName(req.params.name);
    const content = field(objectBody(req.body), 'content', 'string');
    limitSize(content, maxScriptSize(ctx, a.session), 'the script');
    if (content.includes('\0')) throw invalidScript('a script may not hold NUL characters', []);
    const { errors } = ctx.engine.compile(content);
    if (errors.length) throw invalidScript('the script has errors', errors.map(diagnosticJson));
    await a
      .sieve((c) => c.putScript(name, content))
      .catch((err: unknown) => {
        // The server checks the script again with its own engine and can still refuse it.
        if (err instanceof ApiError && err.code === 'refused') throw invalidScript(err.message, []);
        throw err;
      });
    return { name };
  });

  app.delete<Named>('/api/scripts/:name', async (req, reply) => {
    const a = authed(ctx, req);
    const name = scriptName(req.params.name);
    await a.sieve((c) => c.deleteScript(name));
    return reply.code(204).send();
  });

  app.post<Named>('/api/scripts/:name/activate', async (req, reply) => {
    const a = authed(ctx, req);
    const name = scriptName(req.params.name);
    await a.sieve((c) => c.setActive(name));
    return reply.code(204).send();
  });
}

function invalidScript(message: string, errors: unknown[]): ApiError {
  return new ApiError(400, 'invalid_script', message, { errors });
}

/** JSON escapes can make a script up to six times its size on the wire (`\u0000`). */
export function scriptBodyLimit(ctx: WebmailContext): number {
  return ctx.limits.maxScriptSize * 6 + 4096;
}
