import { describe, expect, it } from 'vitest';
import {
  FolderNameError,
  folderDirectory,
  maildirInfo,
  uniqueName,
  virtualSize,
} from '../../src/maildir/layout.js';

describe('Maildir++ folder directories', () => {
  it('maps INBOX to the root and folders to dot directories', () => {
    expect(folderDirectory('INBOX')).toBe('');
    expect(folderDirectory('inbox')).toBe('');
    expect(folderDirectory('Junk')).toBe('.Junk');
    expect(folderDirectory('A/B')).toBe('.A.B');
    expect(folderDirectory('A.B', '.')).toBe('.A.B');
    expect(folderDirectory('Entwürfe/2026')).toBe('.Entw&APw-rfe.2026');
  });

  it('refuses hostile names with a typed error', () => {
    for (const bad of [
      '',
      '..',
      'a/../b',
      'a//b',
      'a\u0000b',
      'a\nb',
      'x\\y',
      'a.b',
      '/a',
      'x'.repeat(300),
    ]) {
      expect(() => folderDirectory(bad), JSON.stringify(bad)).toThrow(FolderNameError);
    }
    expect(() => folderDirectory('日本語'.repeat(60))).toThrow(FolderNameError);
  });
});

describe('Maildir file names', () => {
  it('writes flags as sorted info letters and keywords through the letter map', () => {
    const kw = (k: string): string | undefined => ({ $Label1: 'a', Work: 'b' })[k];
    expect(maildirInfo(['\\Seen', '\\Flagged', '\\Answered', '\\Deleted', '\\Draft'], kw)).toBe(':2,DFRST');
    expect(maildirInfo(['\\seen', 'Work', '$Label1', 'Unknown', '\\Recent'], kw)).toBe(':2,Sab');
    expect(maildirInfo([], kw)).toBe(':2,');
  });

  it('builds unique names in Dovecot style', () => {
    const name = uniqueName({
      nowMs: 1764678000123,
      micros: 123456,
      pid: 42,
      counter: 3,
      host: 'mx/1:a',
      size: 10,
      vsize: 12,
    });
    expect(name).toBe('1764678000.M123456P42Q3.mx\\0571\\072a,S=10,W=12');
  });

  it('counts bare LF as CRLF for the virtual size', () => {
    expect(virtualSize(Buffer.from('a\nb\r\nc\n'))).toBe(9);
    expect(virtualSize(Buffer.from(''))).toBe(0);
  });
});
