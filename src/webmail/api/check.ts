/** POST /api/check and POST /api/test: the engine checks and runs scripts here, nothing is stored. */
import type { FastifyInstance } from 'fastify';
import { parseMessage, type TraceEvent } from '../../index.js';
import { readActiveScript } from '../../autoresponder/index.js';
import { authed, maxScriptSize, type WebmailContext } from '../context.js';
import { badInput } from '../errors.js';
import { diagnosticJson } from '../run-json.js';
import { field, limitSize, objectBody, optionalField } from './input.js';
import { scriptBodyLimit } from './scripts.js';

const MAX_ADDRESS_LENGTH = 998;

function envelopeAddress(o: Record<string, unknown>, name: 'from' | 'to'): string | undefined {
  const v = optionalField(o, name, 'string');
  if (v !== undefined && (v.length > MAX_ADDRESS_LENGTH || /[\x00-\x1f\x7f]/.test(v)))
    throw badInput(`envelope.${name} must be one address on one line`, { field: `envelope.${name}` });
  return v;
}

export function registerCheckRoutes(app: FastifyInstance, ctx: WebmailContext): void {
  app.post('/api/check', { bodyLimit: scriptBodyLimit(ctx) }, async (req) => {
    const a = authed(ctx, req);
    const content = field(objectBody(req.body), 'content', 'string');
    limitSize(content, maxScriptSize(ctx, a.session), 'the script');
    const { errors, warnings } = ctx.engine.compile(content);
    const all = [...errors, ...warnings].sort((x, y) => x.line - y.line || x.column - y.column);
    return { valid: errors.length === 0, errors: all.map(diagnosticJson) };
  });

  const testLimit = ctx.limits.maxTestMessageSize * 2 + scriptBodyLimit(ctx);
  app.post('/api/test', { bodyLimit: testLimit }, async (req) => {
    const a = authed(ctx, req);
    const o = objectBody(req.body);
    const message = field(o, 'message', 'string');
    limitSize(message, ctx.limits.maxTestMessageSize, 'the message');
    let script = optionalField(o, 'script', 'string');
    const env = optionalField(o, 'envelope', 'object') ?? {};
    const from = envelopeAddress(env, 'from');
    const to = envelopeAddress(env, 'to');
    if (script === undefined) script = (await a.sieve((c) => readActiveScript(c)))?.source ?? '';
    limitSize(script, maxScriptSize(ctx, a.session), 'the script');
    const compiled = ctx.engine.compile(script);
    if (!compiled.program)
      return { status: 'error', actions: [], trace: [], errors: compiled.errors.map(diagnosticJson) };
    const view = parseMessage(Buffer.from(message, 'utf8'));
    const user = a.session.user.includes('@') ? a.session.user : `${a.session.user}@localhost`;
    const sender = view.addresses('return-path')[0]?.address ?? view.addresses('from')[0]?.address ?? '';
    const events: TraceEvent[] = [];
    const result = await ctx.engine.runAsync(
      compiled.program,
      view,
      { from: from ?? sender, to: to ?? user },
      { trace: (e) => events.push(e) },
    );
    return {
      status: result.status,
      actions: result.actions.map((x) => ctx.runJson.action(x)),
      trace: events.map((e) => ctx.runJson.trace(e)),
      errors: result.errors.map(diagnosticJson),
    };
  });

  app.get('/api/capabilities', async (req) => {
    const a = authed(ctx, req);
    const caps = await a.sieve(async (c) => c.capabilities);
    return {
      extensions: caps.sieve,
      maxRedirects: caps.maxRedirects ?? null,
      maxScriptSize: maxScriptSize(ctx, a.session),
    };
  });
}
