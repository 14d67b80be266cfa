import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/index.js';
import { DEFAULT_SPAM_RULE, spamBeforeScript, spamEngineSettings } from '../../src/delivery/spam-rule.js';
import { DEFAULT_SCORE_TRUST, withTrustedScores } from '../../src/delivery/spam-score.js';

const msg = (...lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n\r\nbody\r\n');
const score = (s: string) => `X-Spamd-Result: default: False [${s} / 15.00];\r\n\tBAYES_SPAM(3.00)[99.0%]`;

describe('trusted spam score', () => {
  it('keeps the instance the local milter put above the MTA Received field', () => {
    const raw = msg(score('4.50'), 'Received: from a by mx.example.com', 'Subject: hi');
    const { message, untrusted } = withTrustedScores(raw, DEFAULT_SCORE_TRUST);
    expect(untrusted).toBe(0);
    expect(message).toBe(raw);
  });

  it('drops a spoofed instance that came with the message, continuation lines included', () => {
    const raw = msg(
      'Received: from evil by mx.example.com',
      score('0.00'),
      'Subject: cheap',
      'Received: from evil-inner by evil',
    );
    const { message, untrusted } = withTrustedScores(raw, DEFAULT_SCORE_TRUST);
    expect(untrusted).toBe(1);
    expect(message.toString()).toBe(
      'Received: from evil by mx.example.com\r\nSubject: cheap\r\nReceived: from evil-inner by evil\r\n\r\nbody\r\n',
    );
  });

  it('believes only the topmost trusted instance', () => {
    const raw = msg(score('9.00'), score('0.10'), 'Received: from a by mx');
    const { message, untrusted } = withTrustedScores(raw, DEFAULT_SCORE_TRUST);
    expect(untrusted).toBe(1);
    expect(message.toString()).toContain('[9.00 / 15.00]');
    expect(message.toString()).not.toContain('[0.10 / 15.00]');
  });

  it('trusts the topmost instance wherever it is in topmost mode, and all in any mode', () => {
    const raw = msg('Received: from a by mx', score('6.20'), score('0.10'));
    expect(withTrustedScores(raw, { ...DEFAULT_SCORE_TRUST, mode: 'topmost' }).untrusted).toBe(1);
    expect(withTrustedScores(raw, { ...DEFAULT_SCORE_TRUST, mode: 'any' }).untrusted).toBe(0);
    expect(withTrustedScores(raw, { ...DEFAULT_SCORE_TRUST, receivedHops: 2 }).untrusted).toBe(1);
  });

  it('survives broken headers: no blank line, bare LF, NUL bytes, a field without a colon', () => {
    for (const raw of [
      Buffer.from('X-Spamd-Result: [1 / 15]'),
      Buffer.from('Received: x\nX-Spamd-Result: [1 / 15]\n\nbody'),
      Buffer.from('no colon here\r\n\0\0\r\nX-Spamd-Result: [2 / 15]\r\n'),
      Buffer.alloc(0),
    ]) {
      expect(() => withTrustedScores(raw, DEFAULT_SCORE_TRUST)).not.toThrow();
    }
    const lf = withTrustedScores(
      Buffer.from('Received: x\nX-Spamd-Result: [1 / 15]\n\nbody'),
      DEFAULT_SCORE_TRUST,
    );
    expect(lf.message.toString()).toBe('Received: x\n\nbody');
  });
});

describe('the spam before-script', () => {
  const rule = { ...DEFAULT_SPAM_RULE, folder: 'Spam "quoted" \\ box' };
  const engine = new SieveEngine({ config: spamEngineSettings(DEFAULT_SPAM_RULE) });
  const { program, errors } = engine.compile(spamBeforeScript(DEFAULT_SPAM_RULE));

  const actionsFor = (header: string) =>
    engine.run(program!, msg(header, 'Received: from a by mx'), {
      from: 'a@example.org',
      to: 'me@example.com',
    }).actions;

  it('compiles, with a folder name that needs quoting too', () => {
    expect(errors).toEqual([]);
    expect(engine.compile(spamBeforeScript(rule)).errors).toEqual([]);
  });

  it('files 4.50 into Junk and keeps 4.49, whatever the reject threshold in the header', () => {
    expect(actionsFor(score('4.50'))).toEqual([{ type: 'fileinto', mailbox: 'Junk', create: true }]);
    expect(actionsFor(score('4.49'))[0]).toMatchObject({ type: 'keep', implicit: true });
    expect(actionsFor('X-Spamd-Result: default: True [27.10 / 15.00]')[0]).toMatchObject({
      type: 'fileinto',
    });
    expect(actionsFor('X-Spamd-Result: default: False [-3.20 / 15.00]')[0]).toMatchObject({ type: 'keep' });
    expect(actionsFor('Subject: no score')[0]).toMatchObject({ type: 'keep' });
  });

  it('reads a configured header holding a bare score', () => {
    const custom = {
      ...DEFAULT_SPAM_RULE,
      threshold: 4.55,
      trust: { ...DEFAULT_SPAM_RULE.trust, header: 'X-Rspamd-Score' },
    };
    const e = new SieveEngine({ config: spamEngineSettings(custom) });
    const p = e.compile(spamBeforeScript(custom)).program!;
    const run = (s: string) =>
      e.run(p, msg(`X-Rspamd-Score: ${s}`), { from: 'a@b.c', to: 'me@example.com' }).actions[0];
    expect(run('4.55')).toMatchObject({ type: 'fileinto' });
    expect(run('4.54')).toMatchObject({ type: 'keep' });
  });
});
