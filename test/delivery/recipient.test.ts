import { describe, expect, it } from 'vitest';
import { parseRecipient, recipientProblem, resolveRecipient } from '../../src/delivery/recipient.js';

const directory = (users: string[]) => ({ exists: async (u: string) => users.includes(u) });

describe('recipients', () => {
  it('takes the detail off for the look-up and keeps it for the script', () => {
    expect(parseRecipient('<Alice+Lists@Example.ORG>')).toEqual({
      address: 'Alice+Lists@Example.ORG',
      local: 'Alice',
      detail: 'Lists',
      domain: 'example.org',
    });
    expect(parseRecipient('bob@example.org').detail).toBeNull();
    expect(parseRecipient('+x@example.org').local).toBe('+x');
    expect(parseRecipient('a-b@example.org', '-').detail).toBe('b');
  });

  it('looks users up by the whole address, then by the local part', async () => {
    expect(
      (await resolveRecipient(directory(['alice@example.org', 'alice']), 'alice+x@example.org'))?.user,
    ).toBe('alice@example.org');
    expect((await resolveRecipient(directory(['alice']), 'alice+x@Example.org'))?.user).toBe('alice');
    expect(await resolveRecipient(directory(['alice']), 'mallory@example.org')).toBeNull();
  });

  it('finds a user given in capitals, as Dovecot lower-cases user names by default', async () => {
    expect((await resolveRecipient(directory(['alice']), 'ALICE+x@Example.org'))?.user).toBe('alice');
    expect((await resolveRecipient(directory(['alice@example.org']), 'Alice@EXAMPLE.org'))?.user).toBe(
      'alice@example.org',
    );
    // An entry with capitals matches as written first.
    expect((await resolveRecipient(directory(['Bob', 'bob']), 'Bob@example.org'))?.user).toBe('Bob');
  });

  it('refuses addresses that are not addresses', () => {
    for (const bad of ['', 'a b@example.org', 'a@', '@example.org', 'a\0@example.org', 'x'.repeat(400)]) {
      expect(recipientProblem(bad)).not.toBeNull();
    }
    expect(recipientProblem('alice@example.org')).toBeNull();
  });
});
