/** POST /api/vacation/preview: the reply a sender would get, built by the engine for a sample message. */
import type { FastifyInstance } from 'fastify';
import {
  generateScript,
  readReplyEntity,
  vacationRule,
  validateVacation,
  type VacationSettings,
} from '../../autoresponder/index.js';
import { buildVacationReply, parseAddressList, parseMessage, type VacationAction } from '../../index.js';
import { authed, type WebmailContext } from '../context.js';
import { ApiError, badInput } from '../errors.js';
import { objectBody, optionalField } from './input.js';
import { invalidSettings } from './rules.js';

const SAMPLE_SUBJECT = 'Sample subject';
const SAMPLE_SENDER = 'sender@example.org';
const MAX_SUBJECT_LENGTH = 998;

/** The address the sample message is sent to: one the rule answers for. */
function userAddress(s: VacationSettings, user: string): string {
  if (s.addresses?.length) return s.addresses[0]!;
  const from = s.from ? parseAddressList(s.from)[0] : undefined;
  if (from?.address.includes('@')) return from.address;
  return user.includes('@') ? user : `${user}@example.org`;
}

function sampleMessage(to: string, subject: string): Buffer {
  return Buffer.from(
    [
      `From: Sample Sender <${SAMPLE_SENDER}>`,
      `To: <${to}>`,
      `Subject: ${subject}`,
      'Message-ID: <sample-message@example.org>',
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'A sample message.',
      '',
    ].join('\r\n'),
  );
}

export function registerPreviewRoutes(app: FastifyInstance, ctx: WebmailContext): void {
  app.post('/api/vacation/preview', async (req) => {
    const a = authed(ctx, req);
    const { sampleSubject: _, ...input } = objectBody(req.body);
    const subject = optionalField(objectBody(req.body), 'sampleSubject', 'string') ?? SAMPLE_SUBJECT;
    if (subject.length > MAX_SUBJECT_LENGTH || /[\x00-\x1f\x7f]/.test(subject))
      throw badInput(`sampleSubject must be one line of at most ${MAX_SUBJECT_LENGTH} characters`, {
        field: 'sampleSubject',
      });
    const v = validateVacation(input);
    if (!v.ok) throw invalidSettings(v.problems);
    // Dates and the spam check decide whether a reply goes out, not what it says: left out here.
    const { start: _s, end: _e, ...settings } = v.settings;
    const rule = vacationRule({ ...settings, enabled: true, skipSpam: false });
    const compiled = ctx.engine.compile(generateScript([rule]));
    if (!compiled.program) throw new ApiError(500, 'internal', 'the vacation rule does not compile');
    const to = userAddress(v.settings, a.session.user);
    const view = parseMessage(sampleMessage(to, subject));
    const result = await ctx.engine.runAsync(compiled.program, view, { from: SAMPLE_SENDER, to });
    const action = result.actions.find((x): x is VacationAction => x.type === 'vacation');
    if (!action?.to)
      throw new ApiError(
        400,
        'no_reply',
        `no reply would be sent: ${action?.suppressed ?? 'the rule did not run'}`,
      );
    const reply = parseMessage(Buffer.from(buildVacationReply(action, view)));
    const headers: Record<string, string> = {};
    for (const name of reply.headerNames()) headers[name] ??= reply.header(name)[0] ?? '';
    const parts = action.mime ? readReplyEntity(action.reason) : { text: action.reason };
    return {
      from: reply.header('from')[0] ?? '',
      to: reply.header('to')[0] ?? '',
      subject: reply.header('subject')[0] ?? '',
      headers,
      text: parts?.text ?? '',
      ...(parts?.html !== undefined ? { html: parts.html } : {}),
    };
  });
}
