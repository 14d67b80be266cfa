import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';
import { defineAttachment, type Extension } from '../../src/extension.js';

/** `:reversed` on header and exists: the values are read backwards (a filter over any source). */
const reversed = defineAttachment({
  to: ['header', 'exists'],
  tags: [{ name: 'reversed' }],
  stage: 'filter',
  compile: (args) => (args.tags.has('reversed') ? true : null),
  fields: (_d, inner) => ({
    values: (name, rt) => inner.values(name, rt).map((v) => [...v].reverse().join('')),
    raw: (name, rt) => inner.raw(name, rt),
  }),
});

/** `:label "x"` on keep and fileinto adds a flag; every store, the implicit keep too, gets "$seen-by-test". */
const label = defineAttachment({
  to: ['keep', 'fileinto'],
  tags: [{ name: 'label', param: 'string' }],
  compile(args, cx) {
    const v = args.tags.get('label')?.value;
    const s = v ? cx.string(v) : null;
    return typeof s === 'string' ? s : null;
  },
  action(action, given, _rt) {
    if (action.type !== 'keep' && action.type !== 'fileinto') return;
    action.flags = [...(action.flags ?? []), ...(given === null ? [] : [given]), '$seen-by-test'];
  },
});

const ext: Extension = {
  name: 'vnd.test.attach',
  attachments: [reversed, label],
};
const engine = new SieveEngine({ extensions: [ext] });
const MSG = Buffer.from('Subject: hello\r\nX-A: one\r\nX-A: two\r\n\r\nbody\r\n');

function run(script: string) {
  const r = runScript(script, { engine, message: MSG, envelope: { from: '', to: 'u@x' } });
  expect(r.errors).toEqual([]);
  return r.actions;
}

describe('attachments of an extension to core commands and tests', () => {
  it('change the fields header reads, and compose with the index extension', () => {
    const req = 'require ["vnd.test.attach", "index", "fileinto"];\n';
    expect(run(`${req}if header :reversed "subject" "olleh" { discard; }`)[0]!.type).toBe('discard');
    expect(run(`${req}if header :reversed "subject" "hello" { discard; }`)[0]!.type).toBe('keep');
    // :index picks the second X-A, then :reversed turns it round.
    expect(run(`${req}if header :index 2 :reversed "x-a" "owt" { discard; }`)[0]!.type).toBe('discard');
    expect(run(`${req}if header :index 2 :reversed "x-a" "eno" { discard; }`)[0]!.type).toBe('keep');
  });

  it('add fields to the actions of keep and fileinto, the implicit keep included', () => {
    const req = 'require ["vnd.test.attach", "fileinto"];\n';
    expect(run(`${req}fileinto :label "red" "box";`)).toEqual([
      { type: 'fileinto', mailbox: 'box', flags: ['red', '$seen-by-test'] },
    ]);
    expect(run(`${req}keep;`)).toEqual([{ type: 'keep', mailbox: 'INBOX', flags: ['$seen-by-test'] }]);
    expect(run(`${req}if false { discard; }`)).toEqual([
      { type: 'keep', mailbox: 'INBOX', implicit: true, flags: ['$seen-by-test'] },
    ]);
  });

  it('give their tags only to scripts that require the capability', () => {
    const errors = engine.compile('if header :reversed "subject" "x" { discard; }').errors;
    expect(errors.map((e) => e.message).join()).toContain('vnd.test.attach');
    // An engine without the extension does not know the tag at all.
    const plain = new SieveEngine().compile('require "fileinto"; fileinto :label "x" "box";');
    expect(plain.errors.length).toBeGreaterThan(0);
  });
});
