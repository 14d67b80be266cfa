/** GET and PUT /api/vacation and /api/forward: the rules of the active script as settings. */
import type { FastifyInstance } from 'fastify';
import {
  editActiveScript,
  onlyDisables,
  readActiveScript,
  readForward,
  readVacation,
  ruleEdit,
  validateForward,
  validateVacation,
  type Refusal,
  type SettingsProblem,
} from '../../autoresponder/index.js';
import { authed, type WebmailContext } from '../context.js';
import { ApiError } from '../errors.js';
import { diagnosticJson } from '../run-json.js';

type Kind = 'vacation' | 'forward';

/** Refusals the user may override with ?force=true: the rule holds what the settings cannot say. */
const FORCEABLE = new Set<Refusal['code']>(['unknown-parts', 'several-rules']);

export function invalidSettings(problems: SettingsProblem[]): ApiError {
  return new ApiError(
    400,
    'invalid_settings',
    problems.map((p) => `${p.path || '(settings)'}: ${p.message}`).join('; '),
    {
      field: problems[0]?.path ?? '',
      problems,
    },
  );
}

function refused(r: Refusal): ApiError {
  if (r.code === 'invalid-settings') return invalidSettings(r.problems ?? []);
  return new ApiError(409, 'conflict', [r.message, ...r.details].join('\n'), {
    reason: r.code,
    current: r.current ?? null,
    proposed: r.proposed ?? null,
    forceable: FORCEABLE.has(r.code),
    ...(r.errors ? { errors: r.errors.map(diagnosticJson) } : {}),
  });
}

export function registerRuleRoutes(app: FastifyInstance, ctx: WebmailContext): void {
  for (const kind of ['vacation', 'forward'] as const) {
    app.get(`/api/${kind}`, async (req) => {
      const a = authed(ctx, req);
      const active = await a.sieve((c) => readActiveScript(c));
      if (!active) return { enabled: false };
      const r = kind === 'vacation' ? readVacation(active.source) : readForward(active.source);
      if (!r.ok)
        throw new ApiError(
          409,
          'conflict',
          `the active script ${JSON.stringify(active.name)} has syntax errors`,
          {
            reason: 'syntax-error',
            current: null,
            proposed: null,
            forceable: false,
            errors: r.errors.map(diagnosticJson),
          },
        );
      return r.found ? r.settings : { enabled: false };
    });

    app.put<{ Querystring: { force?: string } }>(`/api/${kind}`, async (req) => {
      const a = authed(ctx, req);
      const settings = withinServer(kind, checked(kind, req.body), a.session.extensions);
      const force = req.query.force === 'true';
      const r = await a.sieve((c) =>
        editActiveScript(c, ruleEdit(kind, 'set', settings, force), ctx.scriptName),
      );
      if (!r.ok) throw refused(r.refusal);
      ctx.logger.info(
        `webmail: ${a.session.user} ${r.change === 'unchanged' ? 'kept' : 'wrote'} the ${kind} rule`,
      );
      return { settings, script: r.name };
    });
  }
}

/** What the spam check of a vacation rule needs from the server (see autoresponder/generate.ts). */
const SPAM_CHECK_NEEDS = ['spamtestplus', 'relational', 'comparator-i;ascii-numeric'];

/**
 * A vacation rule without its spam check when the server cannot run it (Pigeonhole offers no
 * spamtest unless configured for it), rather than a script the server refuses; the answer's
 * settings show it.
 */
function withinServer(kind: Kind, settings: unknown, extensions: string[]): unknown {
  const s = settings as { enabled?: boolean; skipSpam?: boolean };
  if (kind !== 'vacation' || s.enabled === false || s.skipSpam === false) return settings;
  const have = new Set(extensions.map((e) => e.toLowerCase()));
  return SPAM_CHECK_NEEDS.every((e) => have.has(e)) ? settings : { ...s, skipSpam: false };
}

/** The settings as they will be written, or 400 with every problem. */
function checked(kind: Kind, body: unknown): unknown {
  if (onlyDisables(body)) return { enabled: false };
  const v = kind === 'vacation' ? validateVacation(body) : validateForward(body);
  if (!v.ok) throw invalidSettings(v.problems);
  return v.settings;
}
