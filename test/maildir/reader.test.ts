import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertMaildir, countMaildir, maildirMessages } from '../../src/maildir/reader.js';

function maildir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tamis-maildir-'));
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(dir, sub));
  return dir;
}

describe('maildirMessages', () => {
  it('lists new/ then cur/, skipping dot files, tmp/ and directories', () => {
    const dir = maildir();
    writeFileSync(join(dir, 'new', '1.host'), 'a');
    writeFileSync(join(dir, 'cur', '2.host:2,S'), 'b');
    writeFileSync(join(dir, 'cur', '.hidden'), 'c');
    writeFileSync(join(dir, 'tmp', '3.host'), 'd');
    mkdirSync(join(dir, 'cur', 'sub'));
    symlinkSync(join(dir, 'new', '1.host'), join(dir, 'cur', '4.link'));
    const paths = [...maildirMessages(dir)];
    expect(paths[0]).toBe(join(dir, 'new', '1.host'));
    expect(paths.slice(1).sort()).toEqual([join(dir, 'cur', '2.host:2,S'), join(dir, 'cur', '4.link')]);
    expect(countMaildir(dir)).toBe(3);
  });

  it('reads more entries than one directory buffer holds', () => {
    const dir = maildir();
    for (let i = 0; i < 1000; i++) writeFileSync(join(dir, 'cur', `${i}.h`), '');
    expect(new Set(maildirMessages(dir)).size).toBe(1000);
  });

  it('accepts a folder with only cur/ and refuses what is not a Maildir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tamis-maildir-'));
    expect(() => assertMaildir(dir)).toThrow(/not a Maildir/);
    expect(() => assertMaildir(join(dir, 'missing'))).toThrow(/not a directory/);
    mkdirSync(join(dir, 'cur'));
    expect(() => assertMaildir(dir)).not.toThrow();
    expect([...maildirMessages(dir)]).toEqual([]);
  });
});
