import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { fullListName } from '../../src/extensions/extlists.js';

const MESSAGE = 'From: Friend <friend@example.org>\r\nTo: me@example.com\r\nSubject: hi\r\n\r\nbody\r\n';
const ENVELOPE = { from: 'friend@example.org', to: 'me@example.com' };
const FRIENDS = 'urn:ietf:params:sieve:addrbook:friends';

function engineWith(lists: Record<string, string[]> = { [FRIENDS]: ['Friend@example.org'] }) {
  return new SieveEngine({ config: { extlists: { lists, hostLists: ['tag:example.com,2024:vip'] } } });
}

function runs(engine: SieveEngine, script: string, host = {}) {
  const c = engine.compile(script);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  return engine.run(c.program, Buffer.from(MESSAGE), ENVELOPE, { host });
}

const discarded = (r: ReturnType<typeof runs>) => r.actions.some((a) => a.type === 'discard');

describe('extlists', () => {
  it('expands the shorthand', () => {
    expect(fullListName(':addrbook:default')).toBe('urn:ietf:params:sieve:addrbook:default');
    expect(fullListName('tag:x')).toBe('tag:x');
  });

  it('matches configured lists case-insensitively and sets ${0}', () => {
    const r = runs(
      engineWith(),
      `require ["extlists", "variables"];
       if address :list "from" ":addrbook:friends" { set "who" "\${0}"; }
       if string "\${who}" "friend@example.org" { discard; }`,
    );
    expect(discarded(r)).toBe(true);
    const miss = runs(
      engineWith(),
      'require "extlists"; if address :list "to" ":addrbook:friends" { discard; }',
    );
    expect(discarded(miss)).toBe(false);
  });

  it('asks the host first', () => {
    const script = 'require "extlists"; if header :list "subject" "tag:example.com,2024:vip" { discard; }';
    const host = {
      listContains: (list: string, v: string) => list === 'tag:example.com,2024:vip' && v === 'hi',
    };
    expect(discarded(runs(engineWith(), script, host))).toBe(true);
    expect(discarded(runs(engineWith(), script))).toBe(false);
  });

  it('refuses a comparator, bad names and a missing require', () => {
    const e = engineWith();
    const errs = (s: string) => e.compile(s).errors.map((d) => d.message);
    expect(
      errs('require "extlists"; if address :list :comparator "i;octet" "from" ":addrbook:friends" {}'),
    ).toEqual(['the :list match type does not allow a comparator']);
    expect(errs('require "extlists"; if address :list "from" "no list" {}')[0]).toContain(
      'invalid external list name',
    );
    expect(errs('require "extlists"; if address :list "from" ":addrbook:x?label=y" {}')[0]).toContain(
      'query',
    );
    expect(errs('if address :list "from" ":addrbook:friends" {}')[0]).toContain('require "extlists"');
  });

  it('has valid_ext_list', () => {
    const r = runs(
      engineWith(),
      `require "extlists";
       if allof (valid_ext_list [":addrbook:friends", ":addrbook:default", "tag:example.com,2024:vip"],
                 not valid_ext_list ":addrbook:enemies", not valid_ext_list "frop") { discard; }`,
    );
    expect(discarded(r)).toBe(true);
  });
});
