import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';
import { EditableMessage } from '../../src/message/index.js';

const MSG =
  'Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\nX-A: one\r\nSubject: Hi\r\nX-A: two\r\n\tfolded\r\n\r\nBody\r\n';

function run(script: string, config = {}) {
  const engine = new SieveEngine({ config });
  return runScript(`require ["editheader", "fileinto", "variables"];\n${script}`, {
    engine,
    message: MSG,
    envelope: { from: '', to: 'u@x' },
  });
}

const text = (a: { message?: { raw(): Buffer } }) => a.message?.raw().toString() ?? MSG;

describe('editheader', () => {
  it('adds at the top or at the end, visible to later tests', () => {
    const r = run(
      'addheader "X-New" "top"; addheader :last "X-End" "end";\nif header "x-new" "top" { fileinto "seen"; }',
    );
    const out = text(r.actions[0]!);
    expect(out.startsWith('X-New: top\r\nReceived:')).toBe(true);
    expect(out).toContain('X-A: two\r\n\tfolded\r\nX-End: end\r\n\r\nBody\r\n');
  });

  it('deletes by name, :index, :last and value patterns, keeping other octets as they were', () => {
    expect(text(run('deleteheader "x-a"; keep;').actions[0]!)).toBe(
      'Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: Hi\r\n\r\nBody\r\n',
    );
    expect(text(run('deleteheader :index 1 :last "x-a"; keep;').actions[0]!)).not.toContain('folded');
    expect(text(run('deleteheader :contains "x-a" "one"; keep;').actions[0]!)).toContain('X-A: two');
    expect(text(run('deleteheader :index 2 :contains "x-a" "one"; keep;').actions[0]!)).toContain('X-A: one');
  });

  it('gives each action the message as it was when the action was taken', () => {
    const r = run('addheader "X-Tag" "1"; redirect "a@example.com"; deleteheader "x-tag"; fileinto "box";');
    expect(text(r.actions[0]!)).toContain('X-Tag: 1');
    expect(text(r.actions[1]!)).not.toContain('X-Tag');
  });

  it('carries edits into the implicit keep', () => {
    const r = run('addheader "X-Kept" "yes";');
    expect(r.actions).toHaveLength(1);
    expect(text(r.actions[0]!)).toContain('X-Kept: yes');
  });

  it('never deletes Received and honours configured protection, but not for Subject', () => {
    const r = run(
      'deleteheader "received"; deleteheader "subject"; deleteheader "x-a"; addheader "X-B" "b"; keep;',
      {
        editheader: { forbidDelete: ['x-a', 'subject'], forbidAdd: ['x-b'] },
      },
    );
    const out = text(r.actions[0]!);
    expect(out).toContain('Received:');
    expect(out).toContain('X-A: one');
    expect(out).not.toContain('Subject:');
    expect(out).not.toContain('X-B');
  });

  it('encodes non-ASCII values and folds multi-line ones', () => {
    const r = run(
      'addheader "Comment" "Ein unerh\u00f6rt gro\u00dfer Test";\naddheader "X-Lines" "a\nb\n";\nif header "comment" "Ein unerh\u00f6rt gro\u00dfer Test" { fileinto "ok"; }',
    );
    const out = text(r.actions[0]!);
    expect(r.actions[0]).toMatchObject({ mailbox: 'ok' });
    expect(out).toMatch(/^X-Lines: a\r\n b\r\nComment: =\?UTF-8\?B\?/);
    expect(/[^\x00-\x7f]/.test(out.split('\r\n\r\n')[0]!)).toBe(false);
  });

  it('rejects bad names and values, and values over the size limit', () => {
    const engine = new SieveEngine({ config: { editheader: { maxHeaderSize: 10 } } });
    const errs = (s: string) =>
      engine.compile(`require ["editheader", "variables"];\n${s}`).errors.map((e) => e.message);
    expect(errs('addheader "X-field:" "v";')[0]).toMatch(/field name "X-field:" is invalid/);
    expect(errs('deleteheader "X field";')[0]).toMatch(/field name "X field" is invalid/);
    expect(errs('addheader "X" "0123456789A";')[0]).toContain('limit of 10');
    expect(errs('deleteheader :last "X-field:";')).toHaveLength(1);
    const c = engine.compile(
      'require ["editheader", "variables"];\nset "n" "Bad Name"; addheader "${n}" "v";',
    );
    expect(engine.run(c.program!, Buffer.from(MSG), { from: '', to: 'u@x' }).status).toBe('error');
  });

  it('survives hostile headers', () => {
    const ed = new EditableMessage(
      Buffer.from('no colon line\r\n  cont\r\n: empty\r\nA:1\n' + 'B: x\r\n'.repeat(2000)),
    );
    expect(ed.deleteFields('b', () => true)).toBe(2000);
    ed.addField('C', 'v', true);
    expect(ed.view.header('c')).toEqual(['v']);
    expect(ed.view.header('a')).toEqual(['1']);
    const empty = new EditableMessage(Buffer.alloc(0));
    empty.addField('X', 'y', true);
    expect(empty.view.header('x')).toEqual(['y']);
  });
  // A quadratic split or delete takes tens of seconds at these sizes; a linear one a fraction of one.
  it('edits a header folded 200,000 times, and deletes 80,000 fields, in linear time', () => {
    const engine = new SieveEngine();
    const program = engine.compile(
      'require "editheader"; addheader "X-A" "1"; addheader :last "X-B" "2"; deleteheader "subject"; deleteheader "to";',
    ).program!;
    const folded = Buffer.from(`Subject: x${'\r\n y'.repeat(200_000)}\r\nX-C: c\r\n\r\nbody\r\n`);
    let t = performance.now();
    let out = text(engine.run(program, folded, { from: '', to: 'u@x' }).actions[0]!);
    expect(performance.now() - t).toBeLessThan(3000);
    expect(out).toBe('X-A: 1\r\nX-C: c\r\nX-B: 2\r\n\r\nbody\r\n');
    const many = Buffer.from(`${'Subject: s\r\nTo: t@x\r\n'.repeat(80_000)}X-C: c\r\n\r\nbody\r\n`);
    t = performance.now();
    out = text(engine.run(program, many, { from: '', to: 'u@x' }).actions[0]!);
    expect(performance.now() - t).toBeLessThan(3000);
    expect(out).toBe('X-A: 1\r\nX-C: c\r\nX-B: 2\r\n\r\nbody\r\n');
  });
});
