import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { errorsOf as compileErrors, runScript } from '../support/engine.js';
import type { ConfigInput } from '../../src/config.js';
import type { Envelope } from '../../src/message/types.js';
import { parseMessage } from '../../src/message/index.js';
import type { Action, VacationAction } from '../../src/runtime/result.js';
import { buildVacationReply } from '../../src/actions/vacation-reply.js';
import { defaultVacationHandle, vacationFromAddress } from '../../src/extensions/vacation.js';
import { oracleMissing, sieveTest } from './pigeonhole-sieve-test.js';

const DAY = 86400;

function message(headers: string[], body = 'Frop!'): string {
  return [...headers, '', body, ''].join('\r\n');
}

const PERSONAL = message([
  'From: "Timo Sirainen" <timo@example.com>',
  'To: stephan@example.com',
  'Subject: Frop!',
  'Message-ID: <432df324@example.org>',
]);

const ENVELOPE: Envelope = { from: 'timo@example.com', to: 'stephan@example.com' };

function compile(script: string, config?: ConfigInput) {
  const engine = new SieveEngine({ config });
  return { engine, result: engine.compile(script) };
}

function errorsOf(script: string): string[] {
  return compileErrors(script);
}

function warningsOf(script: string, config?: ConfigInput): string[] {
  return compile(script, config).result.warnings.map((e) => e.message);
}

function run(
  script: string,
  opts: { msg?: string; envelope?: Envelope; config?: ConfigInput } = {},
): { status: string; actions: Action[]; errors: string[] } {
  const engine = new SieveEngine({ config: opts.config });
  const r = runScript(script, { engine, message: opts.msg ?? PERSONAL, envelope: opts.envelope ?? ENVELOPE });
  return { status: r.status, actions: r.actions, errors: r.errors.map((e) => e.message) };
}

function vacationOf(script: string, opts: Parameters<typeof run>[1] = {}): VacationAction {
  const r = run(script, opts);
  expect(r.errors).toEqual([]);
  const v = r.actions.find((a): a is VacationAction => a.type === 'vacation');
  if (!v) throw new Error('no vacation action');
  return v;
}

const V = 'require "vacation";\n';

describe('vacation: compile-time checks', () => {
  it('needs require "vacation"', () => {
    expect(errorsOf('vacation "away";')).toEqual(['vacation used without require "vacation"']);
  });

  it('takes exactly one reason string', () => {
    expect(errorsOf(V + 'vacation;')[0]).toMatch(/vacation command requires 1 positional argument/);
    expect(errorsOf(V + 'vacation ["a", "b"];')[0]).toMatch(/expects a string as argument 1/);
    expect(errorsOf(V + 'vacation "a" "b";')[0]).toMatch(/requires 1 positional argument/);
    expect(errorsOf(V + 'vacation :days "3" "a";')[0]).toMatch(
      /tag :days of vacation command needs a number/,
    );
    expect(errorsOf(V + 'vacation :subject ["a"] "a";')[0]).toMatch(/tag :subject .* needs a string/);
  });

  it('accepts every RFC 5230 argument', () => {
    expect(
      errorsOf(
        V +
          'vacation :days 3 :subject "s" :from "Me <me@example.com>" :addresses ["a@example.com", "b@example.com"] :mime :handle "h" "Content-Type: text/plain\n\nbody";',
      ),
    ).toEqual([]);
  });

  it(':seconds needs require "vacation-seconds", which brings vacation along', () => {
    expect(errorsOf(V + 'vacation :seconds 60 "away";')[0]).toBe(
      'tag :seconds of vacation command used without require "vacation-seconds"',
    );
    expect(errorsOf('require "vacation-seconds";\nvacation :seconds 60 "away";')).toEqual([]);
  });

  it(':days and :seconds exclude each other', () => {
    expect(errorsOf('require "vacation-seconds";\nvacation :days 1 :seconds 60 "away";')).toEqual([
      'tags :days and :seconds of vacation command cannot be used together',
    ]);
  });

  it('a constant :from must be one valid address, bare or with a display name', () => {
    expect(errorsOf(V + 'vacation :from "Error" "away";')).toEqual([
      'vacation :from address "Error" is not a valid e-mail address',
    ]);
    expect(errorsOf(V + 'vacation :from "a@example.com, b@example.com" "away";')).toHaveLength(1);
    expect(errorsOf(V + 'vacation :from "Stephan Bosch <error@example.org" "away";')).toHaveLength(1);
    expect(errorsOf(V + 'vacation :from "good@voorbeeld.nl.example.com" "away";')).toEqual([]);
    expect(errorsOf(V + 'vacation :from "Timo Sirainen <sirainen@example.net>" "away";')).toEqual([]);
    expect(vacationFromAddress('=?utf-8?q?G=C3=BCnther?= <g@example.com>')).toBe('g@example.com');
    expect(vacationFromAddress('a@example.com\r\nBcc: x@example.com')).toBeNull();
  });

  it('warns about periods outside the configured limits, and about odd :addresses and :mime reasons', () => {
    expect(warningsOf(V + 'vacation :days 0 "a";')).toEqual([
      'vacation :days 0 is under the minimum; using 1 day',
    ]);
    expect(warningsOf(V + 'vacation :days 1000 "a";')).toEqual([
      'vacation :days 1000 is over the maximum; using 90 days',
    ]);
    expect(warningsOf('require "vacation-seconds";\nvacation :seconds 0 "a";')).toEqual([
      'vacation :seconds 0 is under the minimum; using 1 day',
    ]);
    expect(
      warningsOf('require "vacation-seconds";\nvacation :seconds 0 "a";', { vacation: { minPeriod: 0 } }),
    ).toEqual([]);
    expect(warningsOf(V + 'vacation :addresses ["ok@example.com", "nope"] "a";')).toEqual([
      'vacation :addresses entry "nope" is not a valid e-mail address',
    ]);
    expect(warningsOf(V + 'vacation :mime "just text" ;')).toEqual([
      'vacation :mime reason does not start with MIME header fields or an empty line',
    ]);
    expect(warningsOf(V + 'vacation :mime "Content-Type: text/plain\r\n\r\nhi";')).toEqual([]);
  });
});

describe('vacation: the action', () => {
  it('records everything a host needs and keeps the implicit keep', () => {
    const r = run(V + 'vacation :addresses "alias@example.com" "I am gone";');
    expect(r.actions).toEqual([
      {
        type: 'vacation',
        reason: 'I am gone',
        subject: 'Auto: Frop!',
        from: 'stephan@example.com',
        addresses: ['alias@example.com'],
        seconds: 7 * DAY,
        handle: defaultVacationHandle('I am gone', '', '', false),
        mime: false,
        to: 'timo@example.com',
      },
      { type: 'keep', mailbox: 'INBOX', implicit: true },
    ]);
  });

  it('takes explicit subject, from, handle and mime', () => {
    const v = vacationOf(
      V +
        'vacation :subject "Out" :from "Me <me@example.com>" :handle "h1" :mime "Content-Type: text/plain\n\nx";',
    );
    expect(v).toMatchObject({ subject: 'Out', from: 'Me <me@example.com>', handle: 'h1', mime: true });
  });

  it('derives a stable default handle from reason, subject, from and :mime', () => {
    const h = (args: string) => vacationOf(V + `vacation ${args};`).handle;
    expect(h('"a"')).toBe(h('"a"'));
    expect(
      new Set([h('"a"'), h('"b"'), h(':subject "s" "a"'), h(':from "x@example.com" "a"'), h(':mime "a"')])
        .size,
    ).toBe(5);
    expect(h('"a"')).toMatch(/^sha256:[0-9a-f]{32}$/);
  });

  it('converts :days to seconds and clamps :days and :seconds to the configured limits', () => {
    const secs = (script: string, config?: ConfigInput) => vacationOf(script, { config }).seconds;
    expect(secs(V + 'vacation :days 3 "a";')).toBe(3 * DAY);
    expect(secs(V + 'vacation :days 0 "a";')).toBe(DAY);
    expect(secs(V + 'vacation :days 1000 "a";')).toBe(90 * DAY);
    expect(secs(V + 'vacation "a";', { vacation: { defaultPeriod: 2 * DAY } })).toBe(2 * DAY);
    const S = 'require "vacation-seconds";\n';
    expect(secs(S + 'vacation :seconds 0 "a";')).toBe(DAY);
    expect(secs(S + 'vacation :seconds 0 "a";', { vacation: { minPeriod: 0 } })).toBe(0);
    expect(secs(S + 'vacation :seconds 120 "a";', { vacation: { minPeriod: 1 } })).toBe(120);
    expect(secs(S + 'vacation :seconds 99999999 "a";')).toBe(90 * DAY);
  });

  it('defaults the subject to "Auto: " and the decoded original subject', () => {
    const subject = (hdr: string | null) =>
      vacationOf(V + 'vacation "a";', {
        msg: message(['From: timo@example.com', 'To: stephan@example.com', ...(hdr === null ? [] : [hdr])]),
      }).subject;
    expect(subject('Subject: =?utf-8?q?caf=C3=A9?= time')).toBe('Auto: café time');
    expect(subject(null)).toBe('Automated reply');
    const long = subject('Subject: ' + 'word '.repeat(100).trim());
    expect(long!.endsWith('\u2026')).toBe(true);
    expect([...long!].length).toBeLessThan(270);
    expect(long!.startsWith('Auto: word word')).toBe(true);
  });

  it('expands variables in every string argument', () => {
    const v = vacationOf(
      'require ["vacation", "variables"];\nset "who" "me@example.com"; set "r" "gone";\n' +
        'vacation :from "${who}" :subject "Out: ${r}" :handle "h-${r}" :addresses "${who}" "I am ${r}";',
    );
    expect(v).toMatchObject({
      from: 'me@example.com',
      subject: 'Out: gone',
      handle: 'h-gone',
      addresses: ['me@example.com'],
      reason: 'I am gone',
    });
  });

  it('fails at run time when a :from built from variables is not an address', () => {
    const r = run('require ["vacation", "variables"];\nset "who" "nobody";\nvacation :from "${who}" "a";');
    expect(r.status).toBe('error');
    expect(r.errors).toEqual(['vacation :from address "nobody" is not a valid e-mail address']);
    expect(r.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
  });

  it('allows only one vacation per script', () => {
    const r = run(V + 'vacation "a";\nvacation "b";');
    expect(r.status).toBe('error');
    expect(r.errors).toEqual(['duplicate vacation action not allowed']);
  });

  it('does not cancel an explicit discard', () => {
    const r = run(V + 'vacation "I am on vacation.";\ndiscard;');
    expect(r.actions.map((a) => a.type)).toEqual(['vacation', 'discard']);
  });
});

/** The suppression reason, or null when the reply is due. */
function suppression(headers: string[], envelope: Partial<Envelope> = {}, args = ''): string | null {
  const v = vacationOf(V + `vacation ${args} "I am gone";`, {
    msg: message(headers),
    envelope: { ...ENVELOPE, ...envelope },
  });
  if (v.suppressed === undefined) {
    expect(v.to).toBe(envelope.from ?? ENVELOPE.from);
    return null;
  }
  expect(v.to).toBeUndefined();
  return v.suppressed;
}

const TO_ME = ['From: timo@example.com', 'To: stephan@example.com', 'Subject: Frop!'];

describe('vacation: when no reply may be sent (RFC 5230 §4.5, §4.6)', () => {
  it('replies to normal personal mail', () => {
    expect(suppression(TO_ME)).toBeNull();
    expect(
      suppression([...TO_ME, 'Auto-Submitted: no', 'Precedence: normal', 'X-Auto-Response-Suppress: None']),
    ).toBeNull();
  });

  it('never replies to the null sender', () => {
    expect(suppression(TO_ME, { from: '' })).toBe('the envelope sender is null');
  });

  it("never replies to the user's own addresses", () => {
    expect(suppression(TO_ME, { from: 'stephan@example.com' })).toMatch(/own addresses/);
    expect(suppression(TO_ME, { from: 'Stephan@Example.com' })).toMatch(/own addresses/);
    expect(
      suppression(
        ['To: stephan@example.com'],
        { from: 'sirius@example.com' },
        ':addresses "sirius@example.com"',
      ),
    ).toMatch(/own addresses/);
    expect(suppression(TO_ME, { from: 'me@example.net' }, ':from "Me <me@example.net>"')).toMatch(
      /own addresses/,
    );
  });

  it('never replies to system addresses', () => {
    for (const from of [
      'MAILER-DAEMON@example.org',
      'listserv@example.org',
      'Majordomo@example.org',
      'owner-dovecot@example.org',
      'dovecot-request@lists.example.com',
    ]) {
      expect(suppression(TO_ME, { from })).toMatch(/system address/);
    }
    expect(suppression(TO_ME, { from: 'requester@example.org' })).toBeNull();
    expect(suppression(TO_ME, { from: 'landowner@example.org' })).toBeNull();
  });

  it('never replies to mailing-list mail', () => {
    for (const h of [
      'List-Id: <dovecot.lists.example.com>',
      'List-Help: <mailto:x@example.com>',
      'List-Subscribe: <mailto:x@example.com>',
      'List-Unsubscribe: <mailto:x@example.com>',
      'List-Post: NO',
      'List-Owner: <mailto:x@example.com>',
      'List-Archive: <http://example.com>',
    ]) {
      expect(suppression([...TO_ME, h])).toMatch(/mailing list/);
    }
  });

  it('never replies to automated or bulk mail', () => {
    expect(suppression([...TO_ME, 'Auto-Submitted: auto-replied (vacation)'])).toMatch(
      /auto-submitted \(auto-replied\)/,
    );
    expect(suppression([...TO_ME, 'Auto-submitted: yes'])).toMatch(/auto-submitted/);
    expect(suppression([...TO_ME, 'Auto-Submitted: No (comment)'])).toBeNull();
    for (const p of ['bulk', 'list', 'Junk'])
      expect(suppression([...TO_ME, `Precedence: ${p}`])).toMatch(/precedence/);
    expect(suppression([...TO_ME, 'X-Auto-Response-Suppress: All'])).toMatch(/no automatic replies/);
    expect(suppression([...TO_ME, 'X-Auto-Response-Suppress: DR, OOF,\tRN'])).toMatch(/no automatic replies/);
    expect(suppression([...TO_ME, 'X-Auto-Response-Suppress: DR, RN'])).toBeNull();
  });

  it("replies only when one of the user's addresses is a recipient field", () => {
    const from = 'From: timo@example.com';
    expect(suppression([from, 'To: all@example.com'])).toMatch(/none of the user's addresses/);
    expect(suppression([from, 'To: all@example.com'], {}, ':addresses "all@example.com"')).toBeNull();
    expect(
      suppression([from, 'To: Stephan.Bosch@example.com'], {}, ':addresses "stephan.bosch@example.com"'),
    ).toBeNull();
    expect(suppression([from, 'To: a@example.com', 'Cc: Stephan <stephan@example.com>'])).toBeNull();
    expect(suppression([from, 'Bcc: stephan@example.com'])).toBeNull();
    expect(suppression([from, 'Resent-To: stephan@example.com'])).toBeNull();
    expect(suppression([from, 'Resent-Cc: stephan@example.com'])).toBeNull();
    expect(suppression([from, 'Resent-Bcc: stephan@example.com'])).toBeNull();
    expect(suppression([from, 'Reply-To: stephan@example.com'])).toMatch(/none of the user's addresses/);
    // The address the message was originally sent to is not the user's own (a group alias).
    expect(suppression([from, 'To: all@example.com'], { origTo: 'all@example.com' })).toMatch(/none/);
    // A subaddress recipient still matches the plain address in To.
    expect(suppression([from, 'To: stephan@example.com'], { to: 'stephan+vacation@example.com' })).toBeNull();
    // Broken recipient addresses do not break the check.
    expect(suppression([from, 'To: nicëøôçêè—öxample.org'])).toMatch(/none/);
    expect(suppression(TO_ME, { to: 'nicëøôçêè—öxample.org' })).toMatch(/none/);
  });

  it('uses the address the message was sent to as default From', () => {
    const v = vacationOf(V + 'vacation :addresses "tss@example.net" "I am gone";', {
      msg: message(['From: stephan@example.org', 'To: TSS@example.net', 'Cc: stephan@friep.example.com']),
      envelope: { from: 'sirius@example.org', to: 'timo@example.net' },
    });
    expect(v.from).toBe('TSS@example.net');
    expect(v.to).toBe('sirius@example.org');
  });

  it('still refuses a second vacation or a reject when the reply is suppressed', () => {
    const r = run('require ["vacation", "reject"];\nvacation "a";\nreject "no";', {
      envelope: { ...ENVELOPE, from: '' },
    });
    expect(r.status).toBe('error');
  });
});

function action(fields: Partial<VacationAction> = {}): VacationAction {
  return {
    type: 'vacation',
    reason: 'I am gone',
    subject: 'Auto: Frop!',
    from: 'stephan@example.com',
    addresses: [],
    seconds: DAY,
    handle: 'h',
    mime: false,
    to: 'timo@example.com',
    ...fields,
  };
}

const FIXED = { date: new Date(Date.UTC(2024, 0, 5, 9, 3, 7)), messageId: '<reply-1@example.com>' };

/** Parses a built reply with the engine's own message reader. */
function parsed(text: string) {
  return parseMessage(Buffer.from(text));
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const t = s.replace(/=\r\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=') {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(t.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('buildVacationReply (RFC 5230 §5)', () => {
  const original = parsed(
    message([
      'From: "Stephan Bosch" <stephan@example.org>',
      'To: nico@frop.example.org',
      'Subject: frop',
      'References: <1234@local.machine.example> <3456@example.net>',
      ' <435444@ttms.example.org>',
      'Message-ID: <432df324@example.org>',
    ]),
  );

  it('writes the RFC 5230 §5 / RFC 3834 header fields', () => {
    const text = buildVacationReply(
      action({ to: 'stephan@example.org', from: 'nico@frop.example.org' }),
      original,
      FIXED,
    );
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    expect(head.split('\r\n')).toEqual([
      'Date: Fri, 5 Jan 2024 09:03:07 +0000',
      'Message-ID: <reply-1@example.com>',
      'From: <nico@frop.example.org>',
      'To: "Stephan Bosch" <stephan@example.org>',
      'Subject: Auto: Frop!',
      'In-Reply-To: <432df324@example.org>',
      'References: <1234@local.machine.example> <3456@example.net>',
      ' <435444@ttms.example.org> <432df324@example.org>',
      'Auto-Submitted: auto-replied (vacation)',
      'X-Auto-Response-Suppress: All',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 7bit',
    ]);
    expect(text.slice(head.length)).toBe('\r\n\r\nI am gone\r\n');
  });

  it('uses only CRLF line ends and keeps header lines short', () => {
    const text = buildVacationReply(action({ reason: 'line 1\nline 2\rline 3\r\n' }), original, FIXED);
    expect(text).not.toMatch(/[^\r]\n|\r[^\n]/);
    expect(text.endsWith('line 1\r\nline 2\r\nline 3\r\n')).toBe(true);
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('addresses the envelope sender, with the display name of the field that names it', () => {
    const m = parsed(
      message([
        'From: "Stephan Bosch" <stephan@example.org>',
        'Sender: "Hendrik-Jan Tuinman" <h.j.tuinman@example.org>',
        'To: nico@frop.example.org',
      ]),
    );
    const to = (addr: string) => parsed(buildVacationReply(action({ to: addr }), m, FIXED)).header('to')[0];
    expect(to('h.j.tuinman@example.org')).toBe('"Hendrik-Jan Tuinman" <h.j.tuinman@example.org>');
    expect(to('arie.aardappel@example.org')).toBe('<arie.aardappel@example.org>');
  });

  it('builds References from In-Reply-To when the original has no References, and leaves both out without Message-ID', () => {
    const child = parsed(
      message(['From: a@example.org', 'In-Reply-To: <parent@x>', 'Message-ID: <child@x>']),
    );
    const r = parsed(buildVacationReply(action(), child, FIXED));
    expect(r.header('references')).toEqual(['<parent@x> <child@x>']);
    const none = parsed(buildVacationReply(action(), parsed(message(['From: a@example.org'])), FIXED));
    expect(none.header('in-reply-to')).toEqual([]);
    expect(none.header('references')).toEqual([]);
  });

  it('encodes non-ASCII subjects and display names, and passes encoded words through', () => {
    const subject = 'Auto: Я могу есть стекло, оно мне не вредит. Я могу есть стекло, оно мне не вредит.';
    const r = parsed(
      buildVacationReply(
        action({ subject, from: 'Günther M. Karotte <g.m.karotte@example.com>' }),
        original,
        FIXED,
      ),
    );
    expect(r.header('subject')).toEqual([subject]);
    expect(r.header('from')).toEqual(['Günther M. Karotte <g.m.karotte@example.com>']);
    expect(r.addresses('from')[0]!.address).toBe('g.m.karotte@example.com');
    const raw = buildVacationReply(action({ subject: 'ÄÖÜ' }), original, FIXED);
    expect(raw).toMatch(/^Subject: =\?UTF-8\?Q\?/m);
    const passed = parsed(
      buildVacationReply(action({ subject: '=?utf-8?b?w4TDlsOc?= sadasd' }), original, FIXED),
    );
    expect(passed.header('subject')).toEqual(['ÄÖÜ sadasd']);
  });

  it('sends a non-ASCII reason as quoted-printable UTF-8', () => {
    const reason = 'Ik ben weg. Tot ziens — ü=ü  \nnext line with trailing blank \n' + 'é'.repeat(60);
    const text = buildVacationReply(action({ reason }), original, FIXED);
    const r = parsed(text);
    expect(r.header('content-transfer-encoding')).toEqual(['quoted-printable']);
    const body = r.body().toString('latin1');
    expect(body).toMatch(/^[\x20-\x7e\r\n]*$/);
    for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(decodeQp(body)).toBe(reason.replace(/\n/g, '\r\n') + '\r\n');
  });

  it('keeps a :mime reason as the MIME entity, taking only its Content-* fields', () => {
    const reason =
      'Content-Type: text/html; charset=utf-8\nBcc: evil@example.com\nContent-Transfer-Encoding: 8bit\n\n<p>weg</p>';
    const r = parsed(buildVacationReply(action({ reason, mime: true }), original, FIXED));
    expect(r.header('content-type')).toEqual(['text/html; charset=utf-8']);
    expect(r.header('content-transfer-encoding')).toEqual(['8bit']);
    expect(r.header('bcc')).toEqual([]);
    expect(r.header('mime-version')).toEqual(['1.0']);
    expect(r.body().toString()).toBe('<p>weg</p>\r\n');
    const bare = parsed(buildVacationReply(action({ reason: '\nplain', mime: true }), original, FIXED));
    expect(bare.header('content-type')).toEqual(['text/plain; charset=us-ascii']);
    expect(bare.body().toString()).toBe('plain\r\n');
  });

  it('keeps script strings from adding header fields', () => {
    const r = parsed(buildVacationReply(action({ subject: 'hi\r\nBcc: evil@example.com' }), original, FIXED));
    expect(r.header('bcc')).toEqual([]);
    expect(r.header('subject')).toEqual(['hi Bcc: evil@example.com']);
  });

  it('refuses to build a reply the runtime suppressed', () => {
    expect(() =>
      buildVacationReply(action({ to: undefined, suppressed: 'the envelope sender is null' }), original),
    ).toThrow(/the envelope sender is null/);
  });

  it('builds the reply for an action straight from a run', () => {
    const v = vacationOf(V + 'vacation :subject "Weg" "Ik ben er niet.";');
    const r = parsed(buildVacationReply(v, parsed(PERSONAL)));
    expect(r.header('to')).toEqual(['"Timo Sirainen" <timo@example.com>']);
    expect(r.header('from')).toEqual(['<stephan@example.com>']);
    expect(r.header('in-reply-to')).toEqual(['<432df324@example.org>']);
    expect(r.rawHeader('message-id')[0]).toMatch(/^<[0-9a-f-]+@example\.com>$/);
    expect(r.rawHeader('date')[0]).toMatch(/^\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/);
  });
});

/** Whether Pigeonhole would send the reply, from its log lines. */
function pigeonholeSends(script: string, msg: string, env: Envelope): boolean {
  const out = sieveTest(script, msg, { from: env.from, to: env.to, execute: true }).output;
  if (/sent vacation response/.test(out)) return true;
  if (/discard(ing|ed) vacation (response|reply)|not sending vacation response/.test(out)) return false;
  throw new Error(`unexpected sieve-test output:\n${out}`);
}

describe.skipIf(oracleMissing !== null)('vacation: same decisions as Pigeonhole sieve-test', () => {
  if (oracleMissing) console.warn(`skipping Pigeonhole comparison: ${oracleMissing}`);
  const cases: Array<{ name: string; script: string; msg: string; env?: Envelope }> = [
    { name: 'personal mail', script: V + 'vacation "I am gone";', msg: PERSONAL },
    {
      name: 'mailing list (List-Id)',
      script: V + 'vacation "I am gone";',
      msg: message([...TO_ME, 'List-Id: <dovecot.lists.example.com>']),
    },
    { name: 'bulk mail', script: V + 'vacation "I am gone";', msg: message([...TO_ME, 'Precedence: bulk']) },
    {
      name: 'auto-submitted',
      script: V + 'vacation "I am gone";',
      msg: message([...TO_ME, 'Auto-Submitted: yes']),
    },
    {
      name: 'system sender',
      script: V + 'vacation "I am gone";',
      msg: message(TO_ME),
      env: { from: 'dovecot-request@lists.example.com', to: 'stephan@example.com' },
    },
    {
      name: 'own address',
      script: V + 'vacation "I am gone";',
      msg: message(TO_ME),
      env: { from: 'stephan@example.com', to: 'stephan@example.com' },
    },
    {
      name: 'not addressed to the user',
      script: V + 'vacation "I am gone";',
      msg: message(['From: timo@example.com', 'To: all@example.com', 'Subject: x']),
    },
    {
      name: 'addressed to one of :addresses',
      script: V + 'vacation :addresses "all@example.com" "I am gone";',
      msg: message(['From: timo@example.com', 'To: all@example.com', 'Subject: x']),
    },
    {
      name: 'addressed in Cc',
      script: V + 'vacation "I am gone";',
      msg: message(['From: timo@example.com', 'To: x@example.com', 'Cc: stephan@example.com']),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const env = c.env ?? ENVELOPE;
      const ours = vacationOf(c.script, { msg: c.msg, envelope: env });
      expect(ours.to !== undefined).toBe(pigeonholeSends(c.script, c.msg, env));
    });
  }
});
