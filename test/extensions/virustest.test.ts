import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';
import type { ConfigInput } from '../../src/config.js';

const ENVELOPE = { from: 'sender@example.org', to: 'rcpt@example.com' };
const PROBE =
  'require ["virustest", "fileinto", "variables", "relational", "comparator-i;ascii-numeric"];\n' +
  'if virustest :matches "*" { fileinto "virus-${1}"; }\n' +
  'if virustest :value "ge" :comparator "i;ascii-numeric" "4" { fileinto "Quarantine"; }\n';

/** Mailboxes the probe script files into for a message with these header lines. */
function run(headers: string[], config?: ConfigInput): string[] {
  const message = [...headers, 'From: a@example.org', 'Subject: x', '', 'body', ''].join('\r\n');
  const r = runScript(PROBE, { engine: new SieveEngine({ config }), message, envelope: ENVELOPE });
  expect(r.errors).toEqual([]);
  return r.actions.flatMap((a) => (a.type === 'fileinto' || a.type === 'keep' ? [a.mailbox] : []));
}

describe('virustest with the default (Rspamd) source', () => {
  it('is 5 when an antivirus symbol is listed in X-Spamd-Result', () => {
    expect(
      run(['X-Spamd-Result: default: True [20.00 / 15.00]; CLAM_VIRUS(20.00)[Eicar-Signature]']),
    ).toEqual(['virus-5', 'Quarantine']);
    expect(
      run(['X-Spamd-Result: default: False [0.00 / 15.00];', ' SOPHOS_VIRUS(8.00)[Troj/Foo]']),
    ).toContain('virus-5');
  });

  it('is 1 for a scanned message without one, a failed scan included', () => {
    expect(run(['X-Spamd-Result: default: False [0.00 / 15.00]; MIME_GOOD(-0.10)[text/plain]'])).toEqual([
      'virus-1',
    ]);
    expect(run(['X-Spamd-Result: default: False [0.00 / 15.00]; CLAM_VIRUS_FAIL(0.00)[timeout]'])).toEqual([
      'virus-1',
    ]);
    // A symbol name merely containing VIRUS in its options does not count.
    expect(run(['X-Spamd-Result: default: False [1.00 / 15.00]; FOO(1.00)[x_VIRUS(]'])).toEqual(['virus-1']);
  });

  it('is 0 when the message was not scanned', () => {
    expect(run([])).toEqual(['virus-0']);
    expect(run(['X-Virus: Eicar-Signature'])).toEqual(['virus-0']);
  });
});

describe('virustest with a configured source', () => {
  it('reads the X-Virus header of milter_headers with status_clean set', () => {
    const cfg: ConfigInput = {
      virustest: { header: 'X-Virus', type: 'text', textValues: { clean: 1, '*': 5 } },
    };
    expect(run(['X-Virus: clean'], cfg)).toEqual(['virus-1']);
    expect(run(['X-Virus: Eicar-Signature'], cfg)).toEqual(['virus-5', 'Quarantine']);
    expect(run([], cfg)).toEqual(['virus-0']);
  });

  it('scales a score over 1..5 like Pigeonhole', () => {
    const cfg: ConfigInput = { virustest: { header: 'X-Virus-Score', max: 5 } };
    expect(run(['X-Virus-Score: 0'], cfg)).toEqual(['virus-1']);
    expect(run(['X-Virus-Score: 2.5'], cfg)).toEqual(['virus-3']);
    expect(run(['X-Virus-Score: 5'], cfg)).toEqual(['virus-5', 'Quarantine']);
    expect(run(['X-Virus-Score: 99'], cfg)).toEqual(['virus-5', 'Quarantine']);
    expect(run(['X-Virus-Score: n/a'], cfg)).toEqual(['virus-0']);
  });

  it('text values cover 0..5', () => {
    const cfg: ConfigInput = {
      virustest: {
        header: 'X-VirusCheck',
        type: 'text',
        textValues: { Clean: 1, 'Presumed Clean': 2, 'Not sure': 3, 'Almost Certain': 4, Definitely: 5 },
      },
    };
    expect(run(['X-VirusCheck: Presumed Clean'], cfg)).toEqual(['virus-2']);
    expect(run(['X-VirusCheck: Not sure'], cfg)).toEqual(['virus-3']);
    expect(run(['X-VirusCheck: Almost Certain'], cfg)).toEqual(['virus-4', 'Quarantine']);
    expect(run(['X-VirusCheck: definitely'], cfg)).toEqual(['virus-0']);
  });
});

describe('virustest syntax', () => {
  const errors = (s: string) => new SieveEngine().compile(s).errors.map((e) => e.message);
  it('needs require "virustest" and one string', () => {
    expect(errors('if virustest "1" { discard; }')[0]).toMatch(/require "virustest"/);
    expect(errors('require "virustest"; if virustest 3 { discard; }')).toHaveLength(1);
    expect(errors('require "virustest"; if virustest :percent "3" { discard; }')[0]).toMatch(
      /unknown tagged argument ':percent'/,
    );
    expect(
      errors(
        'require ["virustest", "relational"]; if virustest :value "ge" :comparator "i;ascii-numeric" "3" { discard; }',
      ),
    ).toEqual(['comparator "i;ascii-numeric" used without require "comparator-i;ascii-numeric"']);
  });
});
