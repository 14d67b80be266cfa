/** fast-check generators of valid settings: accents, emoji, quotes, dots, long bodies, many addresses. */
import fc from 'fast-check';
import type { ForwardSettings, VacationSettings } from '../../src/autoresponder/index.js';

const SPECIAL = [
  '"',
  '\\',
  '.',
  '..',
  'é',
  'É',
  'ß',
  '🎉',
  '👩‍👩‍👧',
  '日本',
  ' ',
  '\t',
  '${',
  '}',
  '#',
  ';',
  'text:',
  '/*',
  '*/',
];

const piece = fc.oneof(
  fc.constantFrom(...SPECIAL),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
);
/** One line: no line breaks or other control characters. */
const line = fc
  .array(piece, { maxLength: 8 })
  .map((ps) => ps.join('').replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\t' ? c : '')));

/** A header's worth of text: no tabs either. */
const headerLine = line.map((l) => l.replace(/\t/g, ' '));

const text = (maxLines: number) =>
  fc.array(line, { minLength: 1, maxLength: maxLines }).map((ls) => ls.join('\n'));

/** Text without `${`: what may stand beside the ${subject} placeholder. */
const noVariables = (t: string) => t.split('${').join('$ {');

const address = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}$/),
    fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/),
    fc.constantFrom('com', 'org', 'fr', 'example'),
  )
  .map(([l, d, t]) => `${l}@${d}.${t}`);

const zones = fc.constantFrom(
  'Europe/Paris',
  'America/New_York',
  'Asia/Kolkata',
  'UTC',
  'Australia/Lord_Howe',
);

const instant = fc.integer({ min: Date.UTC(2020, 0, 1) / 1000, max: Date.UTC(2035, 0, 1) / 1000 });
const offsets = fc.constantFrom(0, 60, 120, -300, 330, -570, 840);
const isoAt = (sec: number, offset: number): string => {
  const t = new Date((sec + offset * 60) * 1000).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  const o = `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return t + o;
};

export const vacationSettings: fc.Arbitrary<VacationSettings> = fc
  .record(
    {
      enabled: fc.boolean(),
      subject: fc.oneof(
        fc.constant(''),
        headerLine,
        headerLine.map((l) => `Re: \${subject} ${l}`),
      ),
      body: fc.oneof(text(6), text(200)),
      html: fc.option(text(4), { nil: undefined }),
      from: fc.option(
        fc
          .tuple(fc.option(headerLine, { nil: '' }), address)
          .map(([n, a]) => (n.trim() ? `"${n.trim().replace(/[\\"]/g, '')}" <${a}>` : a)),
        { nil: undefined },
      ),
      addresses: fc.option(fc.uniqueArray(address, { minLength: 1, maxLength: 30 }), { nil: undefined }),
      period: fc.oneof(
        fc.constant({}),
        fc.integer({ min: 1, max: 365 }).map((days) => ({ days })),
        fc.integer({ min: 0, max: 86400 * 30 }).map((seconds) => ({ seconds })),
      ),
      range: fc.option(
        fc.tuple(
          instant,
          fc.integer({ min: 1, max: 86400 * 60 }),
          offsets,
          offsets,
          fc.boolean(),
          fc.boolean(),
        ),
        { nil: undefined },
      ),
      timezone: fc.option(zones, { nil: undefined }),
      original: fc.constantFrom('keep', 'discard', 'redirect', 'copy') as fc.Arbitrary<
        VacationSettings['original']
      >,
      forwardTo: fc.uniqueArray(address, { minLength: 1, maxLength: 15 }),
      skipSpam: fc.boolean(),
    },
    { requiredKeys: ['enabled', 'subject', 'body', 'period', 'original', 'forwardTo', 'skipSpam'] },
  )
  .map((r) => {
    const s: VacationSettings = { enabled: r.enabled, subject: r.subject, body: r.body, ...r.period };
    if (r.subject.includes('${subject}')) {
      s.subject = 'Re: ${subject}' + noVariables(r.subject.slice('Re: ${subject}'.length));
      s.body = noVariables(s.body);
      if (r.html !== undefined) r.html = noVariables(r.html);
    }
    if (!s.body.trim()) s.body += 'x';
    if (r.html !== undefined) s.html = r.html;
    if (r.from !== undefined) s.from = r.from;
    if (r.addresses) s.addresses = r.addresses;
    if (r.range) {
      const [start, length, o1, o2, hasStart, hasEnd] = r.range;
      if (hasStart || !hasEnd) s.start = isoAt(start, o1);
      if (hasEnd) s.end = isoAt(start + length, o2);
    }
    if (r.timezone) s.timezone = r.timezone;
    s.original = r.original;
    if (r.original === 'redirect' || r.original === 'copy') s.forwardTo = r.forwardTo;
    s.skipSpam = r.skipSpam;
    return s;
  });

export const forwardSettings: fc.Arbitrary<ForwardSettings> = fc.record({
  enabled: fc.boolean(),
  to: fc.uniqueArray(address, { minLength: 1, maxLength: 15, selector: (a) => a.toLowerCase() }),
  keepCopy: fc.boolean(),
});
