import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';

const MESSAGE = Buffer.from(
  [
    'From: a@example.com',
    'To: b@example.com',
    'Content-Type: multipart/mixed; boundary=AA',
    'X-Test: AA',
    '',
    '--AA',
    'Content-Type: text/plain; charset=us-ascii',
    'X-Test: BB',
    'Cc: inner@example.net',
    '',
    'first part',
    '--AA',
    'Content-Type: text/calendar; method=REQUEST; charset=UTF-8',
    'Content-Disposition: attachment; filename="invite.ics"',
    'X-Test: CC',
    '',
    'BEGIN:VCALENDAR',
    '--AA--',
    '',
  ].join('\r\n'),
);
const ENVELOPE = { from: 'a@example.org', to: 'b@example.net' };
const REQUIRE = 'require ["mime", "foreverypart", "extracttext", "variables", "fileinto", "regex"];\n';

function run(script: string, engine = new SieveEngine()) {
  return runScript(REQUIRE + script, { engine, message: MESSAGE, envelope: ENVELOPE });
}

function folders(script: string): string[] {
  const r = run(script);
  expect(r.errors).toEqual([]);
  return r.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

function errors(script: string): string[] {
  return new SieveEngine().compile(REQUIRE + script).errors.map((e) => e.message);
}

describe('foreverypart and header :mime', () => {
  it('visits the message first, then every part; header :mime reads the current part', () => {
    expect(folders('foreverypart { if header :mime :matches "X-Test" "*" { fileinto "${1}"; } }')).toEqual([
      'AA',
      'BB',
      'CC',
    ]);
  });

  it('nested loops visit the parts inside the current one; break leaves the named loop', () => {
    expect(
      folders(
        'foreverypart :name "outer" { foreverypart { if header :mime "X-Test" "BB" { break :name "outer"; } fileinto "never"; } }',
      ),
    ).toEqual([]);
    expect(folders('foreverypart { if header :mime "X-Test" "BB" { break; } fileinto "seen"; }')).toEqual([
      'seen',
    ]);
  });

  it(':anychild searches all parts; :type, :param and friends read Content-Type values', () => {
    expect(folders('if header :mime :anychild "X-Test" "CC" { fileinto "yes"; }')).toEqual(['yes']);
    expect(folders('if header :mime "X-Test" "CC" { fileinto "no"; }')).toEqual([]);
    expect(folders('if address :mime :anychild "cc" "inner@example.net" { fileinto "addr"; }')).toEqual([
      'addr',
    ]);
    expect(folders('if exists :mime :anychild ["cc", "content-disposition"] { fileinto "both"; }')).toEqual([
      'both',
    ]);
    expect(
      folders(
        'foreverypart { if allof (header :mime :contenttype "content-type" "text/calendar", header :mime :param "method" :matches "content-type" "*") { fileinto "${1}"; } }',
      ),
    ).toEqual(['REQUEST']);
    expect(
      folders(
        'if header :mime :anychild :param "filename" "content-disposition" "invite.ics" { fileinto "f"; }',
      ),
    ).toEqual(['f']);
    expect(
      folders('if header :mime :anychild :type "content-disposition" "attachment" { fileinto "t"; }'),
    ).toEqual(['t']);
  });

  it('extracttext stores the text of the current part, :first cuts it', () => {
    expect(
      folders(
        'foreverypart { extracttext :first 5 :upper "t"; if not string "${t}" "" { fileinto "${t}"; } }',
      ),
    ).toEqual(['FIRST', 'BEGIN']);
  });
});

describe('compile errors', () => {
  it('reports misplaced break, extracttext and :mime options', () => {
    expect(errors('break;')[0]).toMatch(/outside a foreverypart/);
    expect(errors('foreverypart :name "a" { break :name "b"; }')[0]).toMatch(/break :name "b"/);
    expect(errors('extracttext "x";')[0]).toMatch(/outside a foreverypart/);
    expect(errors('if header :anychild "to" "x" { keep; }')[0]).toMatch(/needs :mime/);
    expect(errors('if exists :mime :type "to" { keep; }')[0]).toMatch(/cannot be used with exists/);
    expect(
      errors('foreverypart { foreverypart { foreverypart { foreverypart { foreverypart { keep; } } } } }')[0],
    ).toMatch(/nested too deeply/);
  });
});

describe('CPU time limit', () => {
  // A fake clock that moves 600 ms per reading makes the limit independent of the machine's speed.
  const ticking = () => {
    let t = 0;
    return () => (t += 600);
  };
  const long = `require ["variables", "regex"];\nset "v" "${'ab'.repeat(200)}";\n${'if string :regex "${v}" "(a|b)*x" { keep; }\n'.repeat(600)}`;

  it('stops a run that goes past the limit with a run-time error and keeps the message', () => {
    const engine = new SieveEngine({ config: { maxCpuTime: 1 } });
    const program = engine.compile(long).program!;
    const r = engine.run(program, MESSAGE, ENVELOPE, { clock: ticking() });
    expect(r.status).toBe('limit');
    expect(r.errors[0]!.message).toBe('execution exceeded CPU time limit');
    expect(r.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
  });

  it('lets the same run finish when the limit is high enough, or off', () => {
    for (const maxCpuTime of [1000, 0]) {
      const engine = new SieveEngine({ config: { maxCpuTime } });
      const program = engine.compile(long).program!;
      expect(engine.run(program, MESSAGE, ENVELOPE, { clock: ticking() }).status).toBe('ok');
    }
  });
});
