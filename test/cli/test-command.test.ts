import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './run-cli.js';
import { listMail, personal, scratch } from './fixtures.js';

const f = scratch({
  'sort.sieve': [
    'require ["fileinto", "copy"];',
    'if header :contains "list-id" "dev.lists.example.net" { fileinto "Lists/dev"; stop; }',
    'if address :domain :is "from" "example.org" { redirect :copy "boss@example.com"; }',
    '',
  ].join('\n'),
  'spam.sieve': [
    'require ["spamtest", "fileinto", "relational", "comparator-i;ascii-numeric"];',
    'if spamtest :value "ge" :comparator "i;ascii-numeric" "8" { fileinto "Junk"; }',
    '',
  ].join('\n'),
  'envelope.sieve': [
    'require ["envelope", "fileinto", "variables"];',
    'if envelope :matches "from" "*" { set "f" "${1}"; }',
    'if envelope :matches "to" "*" { set "t" "${1}"; }',
    'fileinto "from-${f}-to-${t}";',
    '',
  ].join('\n'),
  'vacation.sieve': [
    'require ["vacation", "imap4flags"];',
    'addflag "\\\\Seen";',
    'vacation :days 3 :subject "Away" :from "bob@example.com" :handle "h1" "Back soon.";',
    '',
  ].join('\n'),
  'runtime-error.sieve': 'require "variables";\nset "a" "not an address";\nredirect "${a}";\n',
  'bad.sieve': 'require "fileinto";\nfileinto;\n',
  'personal.eml': personal,
  'list.eml': listMail,
  'empty.eml': '',
  'garbage.eml': Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256)),
  'spam.json': JSON.stringify({ engine: { spamtest: { header: 'X-Spam-Score', max: 15 } } }),
  'broken.json': '{ "spamtest": ',
});

describe('tamis test', { timeout: 90_000 }, () => {
  it.concurrent('lists actions and the implicit keep for each message', async () => {
    const r = await runCli(['test', f('sort.sieve'), f('personal.eml'), f('list.eml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `${f('personal.eml')}:`,
        ' actions:',
        '  redirect: send to <boss@example.com> (copy)',
        ' implicit keep: store in "INBOX"',
        `${f('list.eml')}:`,
        ' actions:',
        '  fileinto: store in "Lists/dev"',
        ' implicit keep: cancelled',
        '',
      ].join('\n'),
    );
  });

  it.concurrent('prints one JSON line per message with clean action objects', async () => {
    const r = await runCli(['test', '--json', f('sort.sieve'), f('personal.eml'), f('list.eml')]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([
      {
        message: f('personal.eml'),
        status: 'ok',
        actions: [
          { type: 'redirect', address: 'boss@example.com', copy: true },
          { type: 'keep', mailbox: 'INBOX', implicit: true },
        ],
      },
      { message: f('list.eml'), status: 'ok', actions: [{ type: 'fileinto', mailbox: 'Lists/dev' }] },
    ]);
  });

  it.concurrent('reports a script that does not compile as one JSON line', async () => {
    const r = await runCli(['test', '--json', f('bad.sieve'), f('personal.eml')]);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 'error' });
    const errors = lines[0]!.errors as { line: number; column: number; message: string }[];
    expect(errors[0]).toMatchObject({ line: 2, column: 1 });
    expect(errors[0]!.message).toMatch(/fileinto/);
  });

  it.concurrent('shows compile errors with a caret in human mode', async () => {
    const r = await runCli(['test', f('bad.sieve'), f('personal.eml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${f('bad.sieve')}:2:1: `);
    expect(r.stderr).toContain('\n  fileinto;\n  ^');
  });

  it.concurrent('traces each test with what it compared, and each action', async () => {
    const r = await runCli(['test', '--trace', f('sort.sieve'), f('personal.eml')]);
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n');
    const at = (re: RegExp) => out.findIndex((l) => re.test(l));
    expect(out[at(/^ {5}2: header → false +\| header :contains "list-id"/) + 1]).toBe(
      '     2:   header "list-id": (none)',
    );
    const address = at(/^ {5}3: address → true +\| address :domain :is "from"/);
    expect(out.slice(address + 1, address + 5)).toEqual([
      '     3:   address "from" :domain: "example.org"',
      '     3:   :is (i;ascii-casemap) → match',
      '     3:     "example.org" with "example.org": yes',
      expect.stringMatching(/^ {5}3: {3}redirect: send to <boss@example.com> \(copy\) +\| redirect :copy/),
    ]);
    const j = await runCli(['test', '--json', '--trace', f('sort.sieve'), f('list.eml')]);
    expect(jsonLines(j.stdout)[0]!.trace).toEqual([
      { kind: 'test-start', name: 'header', depth: 0, line: 2, column: 4 },
      {
        kind: 'values',
        source: 'header',
        name: 'list-id',
        values: ['Developers <dev.lists.example.net>'],
        depth: 1,
        line: 2,
        column: 4,
      },
      {
        kind: 'match',
        matchType: 'contains',
        comparator: 'i;ascii-casemap',
        values: ['Developers <dev.lists.example.net>'],
        keys: ['dev.lists.example.net'],
        comparisons: [
          { value: 'Developers <dev.lists.example.net>', key: 'dev.lists.example.net', matched: true },
        ],
        result: true,
        depth: 1,
        line: 2,
        column: 4,
      },
      { kind: 'test', name: 'header', result: true, depth: 0, line: 2, column: 4 },
      {
        kind: 'action',
        name: 'fileinto',
        actions: [{ type: 'fileinto', mailbox: 'Lists/dev' }],
        depth: 1,
        line: 2,
        column: 57,
      },
      { kind: 'stop', depth: 1, line: 2, column: 79 },
    ]);
  });

  it.concurrent('traces spamtest scores and variables', async () => {
    const r = await runCli([
      'test',
      '--trace',
      '--config',
      f('spam.json'),
      f('spam.sieve'),
      f('personal.eml'),
    ]);
    expect(r.stdout).toContain(
      '     2:   spamtest: X-Spam-Score (instance 1) "12", ratio 80 % → value "8"\n',
    );
    expect(r.stdout).toMatch(/ {5}2: {5}"8" with "8": yes\n/);
    const v = await runCli(['test', '--trace', f('envelope.sieve'), f('personal.eml')]);
    expect(v.stdout).toContain('     2:   envelope "from" :all: "alice@example.org"\n');
    expect(v.stdout).toContain(
      '     2:   match variables: ${0} = "alice@example.org", ${1} = "alice@example.org"\n',
    );
    expect(v.stdout).toContain('     2:   set f = "alice@example.org"\n');
    expect(v.stdout).toMatch(
      / {5}4: fileinto: store in "from-alice@example.org-to-bob@example.com" +\| fileinto/,
    );
  });

  it.concurrent('reads spamtest scores from the header named in --config', async () => {
    const withConfig = await runCli([
      'test',
      '--json',
      '--config',
      f('spam.json'),
      f('spam.sieve'),
      f('personal.eml'),
    ]);
    expect(jsonLines(withConfig.stdout)[0]!.actions).toEqual([{ type: 'fileinto', mailbox: 'Junk' }]);
    const without = await runCli(['test', '--json', f('spam.sieve'), f('personal.eml')]);
    expect(jsonLines(without.stdout)[0]!.actions).toEqual([
      { type: 'keep', mailbox: 'INBOX', implicit: true },
    ]);
  });

  it.concurrent('refuses an unreadable or malformed config', async () => {
    const broken = await runCli(['test', '--config', f('broken.json'), f('spam.sieve'), f('personal.eml')]);
    expect(broken.code).toBe(64);
    expect(broken.stderr).toMatch(/not valid JSON at line \d+, column \d+/);
    const missing = await runCli(['test', '--config', f('nope.json'), f('spam.sieve'), f('personal.eml')]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/config .*nope\.json:\n {2}cannot read the file: ENOENT/);
  });

  it.concurrent('takes the envelope from --from/--to, else from the message, else defaults', async () => {
    const given = await runCli([
      'test',
      '--json',
      '--from',
      'x@a.example',
      '--to',
      'y@b.example',
      f('envelope.sieve'),
      f('personal.eml'),
    ]);
    expect(jsonLines(given.stdout)[0]!.actions).toEqual([
      { type: 'fileinto', mailbox: 'from-x@a.example-to-y@b.example' },
    ]);
    const fromMessage = await runCli([
      'test',
      '--json',
      f('envelope.sieve'),
      f('personal.eml'),
      f('list.eml'),
      f('empty.eml'),
    ]);
    expect(
      jsonLines(fromMessage.stdout).map((l) => (l.actions as { mailbox: string }[])[0]!.mailbox),
    ).toEqual([
      'from-alice@example.org-to-bob@example.com',
      'from-carol@lists.example.net-to-dev@lists.example.net',
      'from-sender@example.com-to-recipient@example.com',
    ]);
    const nullSender = await runCli([
      'test',
      '--json',
      '--from',
      '<>',
      f('envelope.sieve'),
      f('personal.eml'),
    ]);
    expect(jsonLines(nullSender.stdout)[0]!.actions).toEqual([
      { type: 'fileinto', mailbox: 'from--to-bob@example.com' },
    ]);
  });

  it.concurrent('gives vacation its fields and keeps flags on the implicit keep', async () => {
    const r = await runCli(['test', '--json', f('vacation.sieve'), f('personal.eml')]);
    const [vacation, keep] = jsonLines(r.stdout)[0]!.actions as Record<string, unknown>[];
    expect(vacation).toMatchObject({
      type: 'vacation',
      subject: 'Away',
      from: 'bob@example.com',
      reason: 'Back soon.',
      seconds: 3 * 86400,
      handle: 'h1',
      mime: false,
    });
    expect(vacation).not.toHaveProperty('pos');
    expect(keep).toEqual({ type: 'keep', mailbox: 'INBOX', implicit: true, flags: ['\\Seen'] });
  });

  it.concurrent('reports a run-time error with the fallback keep', async () => {
    const r = await runCli(['test', '--json', f('runtime-error.sieve'), f('personal.eml')]);
    expect(r.code).toBe(1);
    const [line] = jsonLines(r.stdout);
    expect(line).toMatchObject({
      status: 'error',
      actions: [{ type: 'keep', mailbox: 'INBOX', implicit: true }],
    });
    expect((line!.errors as { line: number; message: string }[])[0]).toMatchObject({ line: 3 });
    const human = await runCli(['test', f('runtime-error.sieve'), f('personal.eml')]);
    expect(human.stdout).toMatch(/run-time error: .*:3:1: .*not a valid e-mail address/);
  });

  it.concurrent('copes with empty, binary and missing messages', async () => {
    const r = await runCli([
      'test',
      '--json',
      f('sort.sieve'),
      f('empty.eml'),
      f('garbage.eml'),
      f('missing.eml'),
    ]);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.status)).toEqual(['ok', 'ok', 'error']);
    expect(lines[2]).toMatchObject({
      message: f('missing.eml'),
      errors: [{ message: 'cannot read message: ENOENT' }],
    });
  });
});
