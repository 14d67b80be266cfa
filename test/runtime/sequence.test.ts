import { describe, expect, it } from 'vitest';
import { SieveEngine, TempFailError, type Action, type SequenceScript } from '../../src/index.js';

const MSG = Buffer.from(
  'From: a@example.com\r\nTo: u@example.org\r\nMessage-ID: <1@x>\r\nSubject: hi\r\n\r\nbody\r\n',
);
const ENV = { from: 'a@example.com', to: 'u@example.org' };

const engine = new SieveEngine();

function seq(...sources: string[]): SequenceScript[] {
  return sources.map((source, i) => {
    const c = engine.compile(source);
    if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
    return { name: `s${i + 1}`, program: c.program };
  });
}

/** Actions as short strings, for readable expectations. */
function brief(actions: Action[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'keep':
        return `${a.implicit ? 'implicit ' : ''}keep${a.flags ? ` ${a.flags.join(',')}` : ''}`;
      case 'fileinto':
        return `fileinto ${a.mailbox}${a.copy ? ' :copy' : ''}${a.flags ? ` ${a.flags.join(',')}` : ''}`;
      case 'redirect':
        return `redirect ${a.address}`;
      default:
        return a.type;
    }
  });
}

describe('runSequence', () => {
  it('runs the next script while the implicit keep is in force, with one result', () => {
    const r = engine.runSequence(
      seq(
        'require ["fileinto", "copy"]; fileinto :copy "Archive";',
        'require "vacation"; vacation "away";',
        'require "fileinto"; fileinto "Later";',
      ),
      MSG,
      ENV,
    );
    expect(r.status).toBe('ok');
    expect(brief(r.actions)).toEqual(['fileinto Archive :copy', 'vacation', 'fileinto Later']);
  });

  it('stops when a script cancels the implicit keep, even without stop', () => {
    const r = engine.runSequence(
      seq('require "fileinto"; fileinto "Junk";', 'redirect "b@example.org";'),
      MSG,
      ENV,
    );
    expect(brief(r.actions)).toEqual(['fileinto Junk']);
    const d = engine.runSequence(seq('discard; stop;', 'keep;'), MSG, ENV);
    expect(brief(d.actions)).toEqual(['discard']);
  });

  it('treats an explicit keep of an earlier script as "carry on": the message is stored once', () => {
    const later = engine.runSequence(seq('keep;', 'require "fileinto"; fileinto "Junk";'), MSG, ENV);
    expect(brief(later.actions)).toEqual(['fileinto Junk']);
    const kept = engine.runSequence(seq('require "imap4flags"; keep :flags "\\\\Seen";', 'stop;'), MSG, ENV);
    expect(brief(kept.actions)).toEqual(['implicit keep \\Seen']);
  });

  it('ends each script at its own stop, not the sequence', () => {
    const r = engine.runSequence(seq('stop; discard;', 'require "fileinto"; fileinto "B";'), MSG, ENV);
    expect(brief(r.actions)).toEqual(['fileinto B']);
  });

  it('merges duplicate stores and drops a second vacation across scripts', () => {
    const r = engine.runSequence(
      seq(
        'require ["fileinto", "copy", "vacation"]; fileinto :copy "A"; vacation "one";',
        'require ["fileinto", "vacation"]; vacation "two"; fileinto "A";',
      ),
      MSG,
      ENV,
    );
    expect(r.status).toBe('ok');
    expect(brief(r.actions)).toEqual(['fileinto A', 'vacation']);
    expect(r.actions.find((a) => a.type === 'vacation')).toMatchObject({ reason: 'one' });
  });

  it('carries imap4flags internal flags and header edits on to later scripts', () => {
    const r = engine.runSequence(
      seq(
        'require ["imap4flags", "editheader"]; addflag "\\\\Flagged"; addheader "X-Before" "yes";',
        'require "fileinto"; if header "x-before" "yes" { fileinto "Seen-edit"; }',
      ),
      MSG,
      ENV,
    );
    expect(brief(r.actions)).toEqual(['fileinto Seen-edit \\Flagged']);
    expect(r.actions[0]!.message?.header('x-before')).toEqual(['yes']);
    const kept = engine.runSequence(seq('require "editheader"; addheader "X-A" "1";', 'keep;'), MSG, ENV);
    expect(kept.actions.at(-1)?.message?.header('x-a')).toEqual(['1']);
  });

  it('reports an error with the script name and falls back to keep, keeping earlier actions', () => {
    const r = engine.runSequence(
      seq(
        'require ["fileinto", "copy"]; fileinto :copy "Archive";',
        'require ["variables"]; set "a" "x"; redirect "${a}";',
        'discard;',
      ),
      MSG,
      ENV,
    );
    expect(r.status).toBe('error');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ script: 's2', code: 'runtime-error', line: 1 });
    expect(brief(r.actions)).toEqual(['fileinto Archive :copy', 'implicit keep']);
  });

  it('keeps duplicate marks of earlier scripts only', () => {
    const r = engine.runSequence(
      seq(
        'require "duplicate"; if duplicate { discard; }',
        'require ["duplicate", "variables"]; if duplicate :handle "b" { stop; } set "a" "x"; redirect "${a}";',
      ),
      MSG,
      ENV,
    );
    expect(r.status).toBe('error');
    expect(r.effects).toHaveLength(1);
    expect(r.effects[0]).toMatchObject({ type: 'duplicate' });
  });

  it('reports a limit with the script name', () => {
    let t = 0;
    const loop = seq('keep;', 'require "variables";' + ' set "a" "b";'.repeat(600));
    const r = engine.runSequence(loop, MSG, ENV, { clock: () => (t += 1e7) });
    expect(r.status).toBe('limit');
    expect(r.errors[0]!.script).toBe('s2');
  });

  it('tempfails the whole sequence when a host query fails temporarily', async () => {
    const scripts = seq('keep;', 'require "mailbox"; if mailboxexists "X" { discard; }');
    const host = {
      mailboxExists: () => {
        throw new TempFailError('store down');
      },
    };
    const r = engine.runSequence(scripts, MSG, ENV, { host });
    expect(r.status).toBe('tempfail');
    expect(r.errors[0]!.script).toBe('s2');
    expect(brief(r.actions)).toEqual(['implicit keep']);
    const a = await engine.runSequenceAsync(scripts, MSG, ENV, {
      host: { mailboxExists: () => Promise.reject(new TempFailError('down')) },
    });
    expect(a.status).toBe('tempfail');
  });

  it('awaits host queries asynchronously across the scripts, and refuses them synchronously', async () => {
    const scripts = seq(
      'require "mailbox"; if mailboxexists "A" { keep; }',
      'require ["mailbox", "fileinto"]; if mailboxexists "B" { fileinto "B"; }',
    );
    const host = { mailboxExists: (name: string) => Promise.resolve(name === 'B') };
    const r = await engine.runSequenceAsync(scripts, MSG, ENV, { host });
    expect(r.status).toBe('ok');
    expect(brief(r.actions)).toEqual(['fileinto B']);
    const sync = engine.runSequence(scripts, MSG, ENV, { host });
    expect(sync.status).toBe('error');
    expect(sync.errors[0]!.message).toMatch(/runSequenceAsync/);
  });

  it('gives the same result as run for a single script, and keep for none', () => {
    const [one] = seq('require "fileinto"; if header :contains "subject" "hi" { fileinto "Hi"; }');
    expect(engine.runSequence([one!], MSG, ENV)).toEqual(engine.run(one!.program, MSG, ENV));
    expect(brief(engine.runSequence([], MSG, ENV).actions)).toEqual(['implicit keep']);
  });
});
