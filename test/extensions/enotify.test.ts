import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';
import { parseMessage } from '../../src/message/index.js';
import type { Action, NotifyAction } from '../../src/index.js';
import { buildMailtoNotification, parseMailto, subjectFromMessage } from '../../src/actions/mailto.js';

const MESSAGE = 'From: boss@example.org\r\nTo: me@example.com\r\nSubject: Budget\r\n\r\nbody\r\n';
const ENVELOPE = { from: 'boss@example.org', to: 'me@example.com' };

function compileErrors(script: string, engine = new SieveEngine()): string[] {
  return engine.compile(script).errors.map((e) => e.message);
}

function run(script: string, message = MESSAGE, engine = new SieveEngine()) {
  return runScript(script, { engine, message, envelope: ENVELOPE });
}

function notifies(actions: Action[]): NotifyAction[] {
  return actions.flatMap((a) => (a.type === 'notify' ? [a] : []));
}

describe('mailto URIs', () => {
  it('parses recipients, headers, subject and body', () => {
    const p = parseMailto(
      'mailto:a@example.org%2Cb@example.org?cc=c@example.org&subject=Hi%20there&body=x%0D%0Ay&X-Tag=1',
    );
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.uri.to.map((r) => r.address)).toEqual(['a@example.org', 'b@example.org']);
    expect(p.uri.cc.map((r) => r.address)).toEqual(['c@example.org']);
    expect(p.uri.subject).toBe('Hi there');
    expect(p.uri.body).toBe('x\r\ny');
    expect(p.uri.headers).toEqual([['X-Tag', '1']]);
  });

  it('refuses broken and hostile URIs', () => {
    for (const bad of [
      'mailto:a@example.org;?x=1',
      'mailto:a@example.org?h<=1',
      'mailto:a@example.org?h=v>',
      'mailto:a@example.org?h:=1',
      'mailto:a%23example.org',
      'mailto:a@example.org?to=b%23example.org',
      'mailto:a@example.org?h=%zz',
      'mailto:a@example.org?x=a%0D%0ABcc:%20evil@example.net',
      'mailto:a@example.org?noequals',
      'mailto:%FF@example.org',
      'http://example.org/',
    ]) {
      expect(parseMailto(bad).ok, bad).toBe(false);
    }
  });

  it('drops duplicate recipients, reserved headers and recipients over the limit', () => {
    const p = parseMailto('mailto:a@example.org?cc=a@EXAMPLE.org&from=x@example.net&auto-submitted=no');
    expect(p.ok && p.uri.cc).toEqual([]);
    expect(p.ok && p.uri.headers).toEqual([]);
    const many = Array.from({ length: 12 }, (_, i) => `u${i}@example.org`).join('%2C');
    const q = parseMailto(`mailto:${many}`);
    expect(q.ok && q.uri.to.length).toBe(8);
    expect(q.ok && q.warnings.length).toBeGreaterThan(0);
  });

  it('cuts a long subject with an ellipsis', () => {
    expect(subjectFromMessage('short')).toBe('short');
    const long = 'x'.repeat(300);
    expect([...subjectFromMessage(long)].length).toBe(256);
    expect(subjectFromMessage(long).endsWith('\u2026')).toBe(true);
  });
});

describe('enotify', () => {
  it('needs require and checks its arguments at compile time', () => {
    expect(compileErrors('notify "mailto:a@example.org";')).toEqual([
      'notify used without require "enotify"',
    ]);
    const errs = compileErrors(
      'require "enotify"; notify :importance "4" :options "bad" :from "x#y" "mailto:a@example.org";',
    );
    expect(errs.some((e) => e.includes(':importance'))).toBe(true);
    expect(errs.some((e) => e.includes(':options'))).toBe(true);
    expect(errs.some((e) => e.includes(':from'))).toBe(true);
    expect(compileErrors('require "enotify"; notify "snailto:a@example.org";')).toEqual([
      'unsupported notify method "snailto"',
    ]);
  });

  it('adds a notify action that keeps the implicit keep', () => {
    const r = run('require "enotify"; notify :importance "1" :message "Boss!" "mailto:a@example.org";');
    expect(r.status).toBe('ok');
    const [n] = notifies(r.actions);
    expect(n).toMatchObject({ method: 'mailto:a@example.org', importance: 1, text: 'Boss!' });
    expect(r.actions.some((a) => a.type === 'keep' && a.implicit)).toBe(true);
  });

  it('builds the notification message', () => {
    const r = run(
      'require "enotify"; notify :from "me@example.com" "mailto:a@example.org?cc=b@example.org&subject=New%20mail";',
    );
    const engine = new SieveEngine();
    const note = buildMailtoNotification(notifies(r.actions)[0]!, {
      envelope: ENVELOPE,
      config: engine.config,
    });
    expect(note).not.toBeNull();
    expect(note!.recipients).toEqual(['a@example.org', 'b@example.org']);
    expect(note!.envelopeFrom).toBe('me@example.com');
    const m = parseMessage(Buffer.from(note!.raw));
    expect(m.header('subject')).toEqual(['New mail']);
    expect(m.header('auto-submitted')[0]).toMatch(/^auto-notified/);
    expect(m.header('importance')).toEqual(['normal']);
    expect(m.header('cc')).toEqual(['b@example.org']);
  });

  it('uses a null envelope sender for a message with a null sender', () => {
    const fields = parseMailto('mailto:a@example.org');
    if (!fields.ok) throw new Error('parse');
    const note = buildMailtoNotification(
      { method: 'mailto:a@example.org', importance: 2, options: [], text: 'x', mailto: fields.uri },
      { envelope: { from: '', to: 'me@example.com' }, config: new SieveEngine().config },
    );
    expect(note!.envelopeFrom).toBe('');
  });

  it('does not notify about automated messages', () => {
    const r = run(
      'require "enotify"; notify "mailto:a@example.org";',
      'Auto-Submitted: auto-replied\r\nSubject: x\r\n\r\nbody\r\n',
    );
    const [n] = notifies(r.actions);
    expect(n!.suppressed).toBeDefined();
    expect(buildMailtoNotification(n!, { envelope: ENVELOPE, config: new SieveEngine().config })).toBeNull();
  });

  it('does not notify a recipient twice and enforces the notify limit', () => {
    const r = run('require "enotify"; notify "mailto:a@example.org"; notify "mailto:a@example.org";');
    expect(notifies(r.actions)).toHaveLength(1);
    const engine = new SieveEngine({ config: { notify: { maxNotifications: 1 } } });
    const r2 = run(
      'require "enotify"; notify "mailto:a@example.org"; notify "mailto:b@example.org";',
      MESSAGE,
      engine,
    );
    expect(r2.status).toBe('error');
    expect(r2.errors[0]!.message).toContain('number of notify actions exceeds policy limit');
    const none = new SieveEngine({ config: { notify: { maxNotifications: 0 } } });
    expect(compileErrors('require "enotify"; notify "mailto:a@example.org";', none)).toEqual([
      'local policy prohibits the use of a notify action',
    ]);
  });

  it('fails at run time for an invalid URI built from variables', () => {
    const r = run('require ["enotify", "variables"]; set "u" "mailto:x%23y"; notify "${u}";');
    expect(r.status).toBe('error');
  });

  it('has valid_notify_method and notify_method_capability', () => {
    const r = run(`require ["enotify"];
      if allof (valid_notify_method ["mailto:a@example.org", "mailto:b@example.org"],
                not valid_notify_method "mailto:a#b",
                not valid_notify_method "xmpp:a@example.org",
                notify_method_capability "mailto:a@example.org" "Online" "maybe",
                not notify_method_capability "mailto:a@example.org" "online" "yes",
                not notify_method_capability "mailto:a@example.org" "frop" "maybe") { discard; }`);
    expect(r.actions.some((a) => a.type === 'discard')).toBe(true);
  });

  it('encodes values with set :encodeurl', () => {
    const r = run(
      'require ["enotify", "variables"]; set :encodeurl "v" "a b&c/\u00e9~"; if string "${v}" "a%20b%26c%2F%C3%A9~" { discard; }',
    );
    expect(r.actions.some((a) => a.type === 'discard')).toBe(true);
    expect(compileErrors('require "variables"; set :encodeurl "v" "x";')[0]).toContain('enotify');
  });
});
