import { describe, expect, it } from 'vitest';
import { createOracle, pigeonholeUnavailable } from '../differential/pigeonhole.js';
import { SieveEngine } from '../../src/engine.js';
import type { ConfigInput } from '../../src/config.js';
import type { Action } from '../../src/runtime/result.js';

const ENVELOPE = { from: 'sender@example.org', to: 'rcpt@example.com' };

function message(headers: string[]): Buffer {
  return Buffer.from([...headers, 'From: a@example.org', 'Subject: test', '', 'body', ''].join('\r\n'));
}

/** Mailboxes the message ends up in ("INBOX" for a keep). */
function stores(actions: Action[]): string[] {
  return actions.flatMap((a) => (a.type === 'fileinto' || a.type === 'keep' ? [a.mailbox] : []));
}

function runScript(script: string, headers: string[], config?: ConfigInput): string[] {
  const engine = new SieveEngine({ config });
  const c = engine.compile(script);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const r = engine.run(c.program, message(headers), ENVELOPE);
  expect(r.errors).toEqual([]);
  return stores(r.actions);
}

const REQ =
  'require ["spamtestplus", "virustest", "fileinto", "variables", "relational", "comparator-i;ascii-numeric"];\n';
/** Files into "spam-N", "pct-N" and "virus-N" so the test values themselves become visible. */
const PROBE = `${REQ}
if spamtest :matches "*" { fileinto "spam-\${1}"; }
if spamtest :percent :matches "*" { fileinto "pct-\${1}"; }
if virustest :matches "*" { fileinto "virus-\${1}"; }
`;

function values(headers: string[], config?: ConfigInput): { spam: string; pct: string; virus: string } {
  const boxes = runScript(PROBE, headers, config);
  const get = (p: string) => boxes.find((b) => b.startsWith(p))?.slice(p.length) ?? '?';
  return { spam: get('spam-'), pct: get('pct-'), virus: get('virus-') };
}

function compileErrors(script: string, config?: ConfigInput): string[] {
  return new SieveEngine({ config }).compile(script).errors.map((e) => e.message);
}

describe('spamtest with the default (Rspamd) source', () => {
  it('reads score and maximum from X-Spamd-Result', () => {
    const v = values([
      'X-Spamd-Result: default: False [3.40 / 15.00]; BAYES_HAM(-3.00)[99.9%]; R_SPF_ALLOW(-0.20)[+ip4]',
    ]);
    // 3.4 / 15 = 0.2267: 1 + 9 × 0.2267 = 3.04 → 3; 22 percent.
    expect(v).toEqual({ spam: '3', pct: '22', virus: '1' });
  });

  it('uses the maximum from the header, not the configured one', () => {
    expect(values(['X-Spamd-Result: default: True [20.00 / 20.00]']).spam).toBe('10');
    expect(values(['X-Spamd-Result: default: False [5.00 / 10.00]']).pct).toBe('50');
  });

  it('clamps negative scores to 1 and scores over the maximum to 10', () => {
    expect(values(['X-Spamd-Result: default: False [-4.20 / 15.00]'])).toMatchObject({ spam: '1', pct: '0' });
    expect(values(['X-Spamd-Result: default: True [31.50 / 15.00]'])).toMatchObject({
      spam: '10',
      pct: '100',
    });
  });

  it('reads the verdict from a folded header', () => {
    const v = values([
      'X-Spamd-Result: default: False [7.50 / 15.00];',
      '\tMIME_GOOD(-0.10)[text/plain];',
      '\tARC_NA(0.00)[]',
    ]);
    expect(v).toMatchObject({ spam: '5', pct: '50' });
  });

  it('gives "0" when the message was not tested', () => {
    expect(values([])).toEqual({ spam: '0', pct: '0', virus: '0' });
    expect(values(['X-Spamd-Result: garbage']).spam).toBe('0');
    expect(values(['X-Spamd-Result: default: False [3.40 / 0.00]']).spam).toBe('0');
  });

  it('compares with i;ascii-numeric and relational as scripts usually do', () => {
    const script = `${REQ}if spamtest :value "ge" :comparator "i;ascii-numeric" "5" { fileinto "Junk"; }`;
    expect(runScript(script, ['X-Spamd-Result: default: False [9.00 / 15.00]'])).toEqual(['Junk']);
    expect(runScript(script, ['X-Spamd-Result: default: False [4.00 / 15.00]'])).toEqual(['INBOX']);
    // Untested ("0") is below every threshold.
    expect(runScript(script, [])).toEqual(['INBOX']);
  });

  it('uses i;ascii-casemap and :is by default', () => {
    const script = `${REQ}if spamtest "3" { fileinto "three"; }`;
    expect(runScript(script, ['X-Spamd-Result: default: False [3.40 / 15.00]'])).toEqual(['three']);
    expect(runScript(script, ['X-Spamd-Result: default: False [9.40 / 15.00]'])).toEqual(['INBOX']);
  });

  it('takes the first of several status headers', () => {
    const v = values([
      'X-Spamd-Result: default: False [1.00 / 10.00]',
      'X-Spamd-Result: default: True [10.00 / 10.00]',
    ]);
    expect(v.pct).toBe('10');
  });
});

describe('configured sources (Pigeonhole-compatible modes)', () => {
  it('score: a plain number in a header, scaled against max', () => {
    const cfg: ConfigInput = { spamtest: { header: 'X-Spam-Score', max: 15 } };
    expect(values(['X-Spam-Score: 4.5'], cfg)).toMatchObject({ spam: '3', pct: '30' });
    expect(values(['X-Spam-Score: 7,5'], cfg)).toMatchObject({ spam: '5', pct: '50' });
    expect(values(['X-Spam-Score: 123456'], cfg)).toMatchObject({ spam: '0' });
    expect(values(['X-Spam-Score: 4.5 points'], cfg)).toMatchObject({ spam: '0' });
  });

  it('score: pattern group 1, maximum from another header', () => {
    const cfg: ConfigInput = {
      spamtest: {
        header: 'X-Spam-Status',
        pattern: '[[:alpha:]]+, score=(-?[[:digit:]]+\\.[[:digit:]]+)',
        maxHeader: { header: 'X-Spam-Status', pattern: 'required=([0-9.]+)' },
      },
    };
    expect(values(['X-Spam-Status: Yes, score=4.0 required=5.0 tests=FOO'], cfg).spam).toBe('8');
    expect(values(['X-Spam-Status: No, score=1.0 required=5.0 tests=FOO'], cfg).spam).toBe('2');
    // Missing maximum: not tested.
    expect(values(['X-Spam-Status: No, score=1.0 tests=FOO'], cfg).spam).toBe('0');
  });

  it('strlen: a run of one character', () => {
    const cfg: ConfigInput = { spamtest: { header: 'X-Spam-Level', type: 'strlen', max: 8 } };
    expect(values(['X-Spam-Level: ***'], cfg).spam).toBe('4');
    expect(values(['X-Spam-Level: ********'], cfg).spam).toBe('10');
    expect(values(['X-Spam-Level:'], cfg).spam).toBe('1');
    expect(values(['X-Spam-Level: **+*'], cfg).spam).toBe('0');
  });

  it('text: values looked up case-sensitively, "*" for the rest', () => {
    const cfg: ConfigInput = {
      spamtest: { header: 'X-Spam-Verdict', type: 'text', textValues: { 'Not Spam': 1, Spam: 10 } },
      virustest: {
        header: 'X-Virus-Scan',
        type: 'text',
        pattern: 'Found to be (.+)\\.',
        textValues: { clean: 1, infected: 5 },
      },
    };
    expect(values(['X-Spam-Verdict: Spam', 'X-Virus-Scan: Found to be clean.'], cfg)).toEqual({
      spam: '10',
      pct: '100',
      virus: '1',
    });
    expect(values(['X-Spam-Verdict: Not Spam', 'X-Virus-Scan: Found to be infected.'], cfg)).toEqual({
      spam: '1',
      pct: '10',
      virus: '5',
    });
    expect(values(['X-Spam-Verdict: spam', 'X-Virus-Scan: Found to be harmless.'], cfg)).toEqual({
      spam: '0',
      pct: '0',
      virus: '0',
    });
    const wild: ConfigInput = { virustest: { header: 'X-Virus', type: 'text', textValues: { '*': 5 } } };
    expect(values(['X-Virus: Eicar-Signature'], wild).virus).toBe('5');
  });

  it('text with unmatched: a present header without a match has a status', () => {
    const cfg: ConfigInput = {
      virustest: {
        header: 'X-AV',
        type: 'text',
        pattern: 'INFECTED',
        textValues: { x: 5, ok: 1 },
        unmatched: 'ok',
      },
    };
    expect(values(['X-AV: clean'], cfg).virus).toBe('1');
    expect(values([], cfg).virus).toBe('0');
  });

  it('an invalid pattern means untested, not a failure', () => {
    expect(values(['X-S: 3'], { spamtest: { header: 'X-S', pattern: '(' } }).spam).toBe('0');
  });
});

describe('spamtest/virustest syntax', () => {
  it(':percent needs spamtestplus', () => {
    expect(compileErrors('require "spamtest"; if spamtest :percent "3" { discard; }')).toEqual([
      'spamtest :percent used without require "spamtestplus"',
    ]);
    expect(compileErrors('require "spamtestplus"; if spamtest :percent "3" { discard; }')).toEqual([]);
  });

  it('virustest has no :percent', () => {
    expect(
      compileErrors('require ["virustest", "spamtestplus"]; if virustest :percent "3" { discard; }')[0],
    ).toMatch(/unknown tagged argument ':percent'/);
  });

  it('needs require and a single string value', () => {
    expect(compileErrors('if spamtest "3" { discard; }')[0]).toMatch(
      /spamtest test used without require "spamtest"/,
    );
    expect(compileErrors('if virustest "3" { discard; }')[0]).toMatch(/require "virustest"/);
    expect(compileErrors('require "spamtest"; if spamtest 3 { discard; }')).toHaveLength(1);
    expect(compileErrors('require "spamtest"; if spamtest :matches { discard; }')).toHaveLength(1);
    expect(compileErrors('require "spamtest"; if spamtest ["1", "2"] { discard; }')).toHaveLength(1);
  });
});

/** Pigeonhole's sieve-test as an oracle: same settings, same script, same decisions. */
const oracleMissing = pigeonholeUnavailable();

describe.skipIf(oracleMissing !== null)('spamtest and virustest agree with Pigeonhole sieve-test', () => {
  // The oracle's spamtest settings are X-Spam-Score on a 0..15 scale; virustest is added here.
  const oracle = oracleMissing
    ? null
    : createOracle([
        'sieve_virustest_status_type = score',
        'sieve_virustest_status_header = X-Virus-Score',
        'sieve_virustest_max_value = 5',
      ]);
  const ours: ConfigInput = {
    spamtest: { header: 'X-Spam-Score', max: 15 },
    virustest: { header: 'X-Virus-Score', max: 5 },
  };
  const script = `${PROBE}
if spamtest :value "ge" :comparator "i;ascii-numeric" "5" { fileinto "Junk"; }
if spamtest :percent :value "lt" :comparator "i;ascii-numeric" "10" { fileinto "Low"; }
`;
  const scriptFile = oracle?.write('s.sieve', script) ?? '';
  let n = 0;

  function pigeonhole(headers: string[]): string[] {
    const msg = oracle!.write(`m-${n++}.eml`, message(headers));
    const r = oracle!.runSync('sieve-test', ['-f', ENVELOPE.from, '-a', ENVELOPE.to, scriptFile, msg]);
    if (r.code !== 0) throw new Error(`sieve-test failed: ${r.stderr}`);
    const boxes = [...r.stdout.matchAll(/store message in folder: (.+)$/gm)].map((m) => m[1]!.trim());
    if (/Implicit keep:\s*\n\s*\*/.test(r.stdout)) boxes.push('INBOX');
    return boxes;
  }

  const scores = [
    '0',
    '0.5',
    '4.5',
    '7.5',
    '15',
    '20',
    '-3',
    'garbage',
    null,
    '',
    '1,5',
    '14.99',
    '00015',
    '123456',
    '+2',
    '.5',
    '3.',
    '0.00001',
    '0.000001',
    '-0',
    '2.2',
    '6.7',
  ];
  it.each(scores.map((s) => [s === null ? '(absent)' : JSON.stringify(s), s] as const))(
    'score %s',
    (_label, score) => {
      const headers = score === null ? [] : [`X-Spam-Score: ${score}`, `X-Virus-Score: ${score}`];
      const expected = pigeonhole(headers);
      expect(expected.length).toBeGreaterThan(0);
      expect(runScript(script, headers, ours).sort()).toEqual(expected.sort());
    },
  );

  it('agrees on every tenth from 0 to 16 (single-precision rounding included)', () => {
    const mismatches: string[] = [];
    for (let i = 0; i <= 160; i++) {
      const score = (i / 10).toFixed(1);
      const headers = [`X-Spam-Score: ${score}`, `X-Virus-Score: ${(i / 32).toFixed(2)}`];
      const expected = pigeonhole(headers).sort().join(',');
      const got = runScript(script, headers, ours).sort().join(',');
      if (got !== expected) mismatches.push(`${score}: ${got} vs ${expected}`);
    }
    expect(mismatches).toEqual([]);
  });
});
