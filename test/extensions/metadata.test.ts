import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { holds as testHolds } from '../support/engine.js';
import { isValidEntryName } from '../../src/extensions/metadata.js';

const MESSAGE = 'From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n';
const ENVELOPE = { from: 'a@example.org', to: 'me@example.com' };
const STORE = new Map([
  ['INBOX\0/private/comment', 'important'],
  ['\0/shared/admin', 'mailto:admin@example.com'],
]);
const host = {
  metadata: (mailbox: string | null, entry: string) => STORE.get(`${mailbox ?? ''}\0${entry}`) ?? null,
};

function holds(test: string, withHost = true): boolean {
  const req = 'require ["mboxmetadata", "servermetadata", "encoded-character"]; ';
  return testHolds(test, req, { message: MESSAGE, envelope: ENVELOPE, options: withHost ? { host } : {} });
}

describe('metadata', () => {
  it('checks entry names', () => {
    expect(isValidEntryName('/private/comment')).toBe(true);
    expect(isValidEntryName('/shared/a/b')).toBe(true);
    for (const bad of ['/frop', 'private/x', '/private/', '/private//x', '/private/*', '/shared/a\x01'])
      expect(isValidEntryName(bad), bad).toBe(false);
  });

  it('reads mailbox and server entries through the host', () => {
    expect(holds('metadata :is "INBOX" "/private/comment" "important"')).toBe(true);
    expect(holds('metadata :contains "INBOX" "/private/comment" "zzz"')).toBe(false);
    expect(holds('metadataexists "INBOX" ["/private/comment"]')).toBe(true);
    expect(holds('metadataexists "INBOX" ["/private/comment", "/private/other"]')).toBe(false);
    expect(holds('servermetadata :matches "/shared/admin" "mailto:*"')).toBe(true);
    expect(holds('servermetadataexists "/shared/admin"')).toBe(true);
    // Without the host hook no entry exists.
    expect(holds('metadataexists "INBOX" "/private/comment"', false)).toBe(false);
  });

  it('treats invalid names as absent, with compile warnings', () => {
    expect(holds('metadata :contains "INBOX" "/frop" ""')).toBe(false);
    expect(holds('metadataexists "${hex:ff}rop" "/private/comment"')).toBe(false);
    const c = new SieveEngine().compile('require "mboxmetadata"; if metadata "INBOX" "frop" "x" {}');
    expect(c.errors).toEqual([]);
    expect(c.warnings.map((w) => w.message)).toEqual([
      'invalid metadata entry name "frop" (it never exists)',
    ]);
  });

  it('checks the arguments', () => {
    const errs = (s: string) => new SieveEngine().compile(s).errors.length;
    expect(errs('require "mboxmetadata"; if metadata "INBOX" "/private/x" {}')).toBe(1);
    expect(errs('require "servermetadata"; if servermetadataexists "INBOX" "/private/x" {}')).toBe(1);
    expect(errs('if metadataexists "INBOX" "/private/x" {}')).toBe(1);
  });
});
