import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// WCAG 2.x contrast of the colour pairs app.css uses for text (4.5:1) and for focus rings,
// borders of inputs and other non-text parts (3:1).
const css = readFileSync(new URL('../../../src/webmail/page/app.css', import.meta.url), 'utf8');
const vars = new Map([...css.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6});/gi)].map((m) => [m[1]!, m[2]!]));

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const TEXT: Array<[string, string]> = [
  ['text', 'bg'],
  ['text', 'panel'],
  ['muted', 'bg'],
  ['muted', 'panel'],
  ['accent', 'bg'],
  ['accent', 'panel'],
  ['accent-text', 'accent'],
  ['danger-text', 'danger'],
  ['ok', 'bg'],
  ['ok', 'panel'],
  ['error', 'bg'],
  ['error', 'panel'],
  ['text', 'mark-err'],
  ['text', 'mark-warn'],
  ['text', 'add-bg'],
  ['text', 'del-bg'],
];
const NON_TEXT: Array<[string, string]> = [
  ['focus', 'bg'],
  ['focus', 'panel'],
  ['border', 'bg'],
  ['error', 'mark-err'],
];

describe('colour contrast (WCAG AA)', () => {
  it('computes known ratios', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it.each(TEXT)('text %s on %s is at least 4.5:1', (fg, bg) => {
    expect(vars.get(fg), fg).toBeDefined();
    expect(vars.get(bg), bg).toBeDefined();
    expect(contrast(vars.get(fg)!, vars.get(bg)!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(NON_TEXT)('%s against %s is at least 3:1', (fg, bg) => {
    expect(contrast(vars.get(fg)!, vars.get(bg)!)).toBeGreaterThanOrEqual(3);
  });

  it('uses no colour literal outside the variables', () => {
    const body = css.replace(/:root\s*\{[^}]*\}/, '');
    expect(body.match(/#[0-9a-f]{3,8}\b/gi) ?? []).toEqual([]);
  });
});
