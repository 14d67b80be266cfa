import { describe, expect, it } from 'vitest';
import { validateForward, validateVacation } from '../../src/autoresponder/index.js';

const ok = { enabled: true, subject: 'Absent', body: 'Away' };
const problems = (input: unknown) => {
  const r = validateVacation(input);
  return r.ok ? [] : r.problems.map((p) => `${p.path} ${p.code}`);
};

describe('vacation settings validation', () => {
  it('fills in the defaults', () => {
    expect(validateVacation(ok)).toEqual({
      ok: true,
      settings: { ...ok, original: 'keep', skipSpam: true },
    });
  });

  it('gives each problem its path, a code and English text', () => {
    const r = validateVacation({ ...ok, addresses: ['a@example.com', 'not an address'] });
    expect(r).toEqual({
      ok: false,
      problems: [
        {
          path: 'addresses[1]',
          code: 'invalid-address',
          message: 'addresses[1] is not a valid e-mail address: "not an address"',
        },
      ],
    });
  });

  it('refuses what cannot be written safely', () => {
    expect(problems(null)).toEqual([' not-an-object']);
    expect(problems([ok])).toEqual([' not-an-object']);
    expect(problems({ ...ok, colour: 'red' })).toEqual(['colour unknown-field']);
    expect(problems({ subject: 'x', body: 'y' })).toEqual(['enabled required']);
    expect(problems({ ...ok, enabled: 'yes' })).toEqual(['enabled wrong-type']);
    expect(problems({ ...ok, body: '  \n ' })).toEqual(['body empty']);
    expect(problems({ ...ok, body: 'a\u0000b' })).toEqual(['body control-character']);
    expect(problems({ ...ok, body: 'a\u001bb' })).toEqual(['body control-character']);
    expect(problems({ ...ok, subject: 'a\r\nBcc: x@example.com' })).toEqual(['subject control-character']);
    expect(problems({ ...ok, body: 'a\ud800b' })).toEqual(['body invalid-text']);
    expect(problems({ ...ok, days: 2, seconds: 60 })).toEqual(['seconds days-and-seconds']);
    expect(problems({ ...ok, days: 0 })).toEqual(['days out-of-range']);
    expect(problems({ ...ok, days: 1.5 })).toEqual(['days wrong-type']);
    expect(problems({ ...ok, start: '2026-12-21' })).toEqual(['start invalid-date']);
    expect(problems({ ...ok, start: '2026-02-30T00:00:00+01:00' })).toEqual(['start invalid-date']);
    expect(problems({ ...ok, start: '2026-12-21T00:00:00+01:00', end: '2026-12-20T23:00:00+00:00' })).toEqual(
      ['end end-before-start'],
    );
    expect(problems({ ...ok, timezone: 'Europe/Lutece' })).toEqual(['timezone unknown-timezone']);
    expect(problems({ ...ok, from: 'Jean <jean@>' })).toEqual(['from invalid-address']);
    expect(problems({ ...ok, original: 'bounce' })).toEqual(['original invalid-choice']);
    expect(problems({ ...ok, original: 'redirect' })).toEqual(['forwardTo forward-to-required']);
    expect(problems({ ...ok, original: 'keep', forwardTo: ['a@example.com'] })).toEqual([
      'forwardTo forward-to-unused',
    ]);
    const sixteen = Array.from({ length: 16 }, (_, i) => `u${i}@example.com`);
    expect(problems({ ...ok, original: 'copy', forwardTo: sixteen })).toEqual([
      'forwardTo too-many-addresses',
    ]);
    expect(problems({ ...ok, subject: 'Re: ${subject}', body: 'Dear ${name}' })).toEqual([
      'body unsupported-variable',
    ]);
  });

  it('writes dates in the offset the time zone has at that instant', () => {
    const r = validateVacation({
      ...ok,
      start: '2026-07-01T00:00:00Z',
      end: '2026-12-01T00:00:00Z',
      timezone: 'Europe/Paris',
    });
    expect(r.ok && [r.settings.start, r.settings.end]).toEqual([
      '2026-07-01T02:00:00+02:00',
      '2026-12-01T01:00:00+01:00',
    ]);
  });

  it('normalises line breaks and the sender', () => {
    const r = validateVacation({ ...ok, body: 'a\r\nb\rc', from: '  "Dupont, Jean"   <jean@example.com> ' });
    expect(r.ok && r.settings).toMatchObject({ body: 'a\nb\nc', from: '"Dupont, Jean" <jean@example.com>' });
  });
});

describe('forward settings validation', () => {
  const fw = (input: unknown) => {
    const r = validateForward(input);
    return r.ok ? [] : r.problems.map((p) => `${p.path} ${p.code}`);
  };
  it('accepts 1 to 15 distinct addresses', () => {
    expect(validateForward({ enabled: true, to: ['a@example.com'] })).toEqual({
      ok: true,
      settings: { enabled: true, to: ['a@example.com'], keepCopy: false },
    });
    const fifteen = Array.from({ length: 15 }, (_, i) => `u${i}@example.com`);
    expect(fw({ enabled: true, to: fifteen, keepCopy: true })).toEqual([]);
    expect(fw({ enabled: true, to: [...fifteen, 'x@example.com'], keepCopy: true })).toEqual([
      'to too-many-addresses',
    ]);
    expect(fw({ enabled: true, to: [], keepCopy: true })).toEqual(['to empty']);
    expect(fw({ enabled: true, keepCopy: true })).toEqual(['to required']);
    expect(fw({ enabled: true, to: ['a@example.com', 'A@example.com'] })).toEqual([
      'to[1] duplicate-address',
    ]);
    expect(fw({ enabled: true, to: ['a@example.com', 'b@exa mple.com'] })).toEqual(['to[1] invalid-address']);
    expect(fw({ enabled: true, to: ['a@example.com'], keepCopy: 'no' })).toEqual(['keepCopy wrong-type']);
  });
});
