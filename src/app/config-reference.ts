import { readFileSync, writeFileSync } from 'node:fs';
import type { settings } from '../index.js';
import { configSections } from './config-file.js';

type AnySetting = settings.Setting<unknown, unknown>;

/** Where the generated part of docs/configuration.md starts; everything after it is replaced. */
export const REFERENCE_MARK =
  '<!-- Generated from the settings declarations by `npm run docs:config`; edit those, not what follows. -->';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string): string => {
  const text = cell(s);
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
};

function defaultText(s: AnySetting): string {
  if (s.fields) return '';
  if (s.default === undefined) return s.optional ? 'none' : 'required';
  return code(JSON.stringify(s.default));
}

function rows(s: AnySetting, path: string, out: string[]): void {
  for (const [key, field] of Object.entries(s.fields ?? {})) {
    const at = path ? `${path}.${key}` : key;
    const type = field.fields ? 'object' : field.expected;
    out.push(`| ${code(at)} | ${cell(type)} | ${defaultText(field)} | ${cell(field.doc)} |`);
    if (field.fields) rows(field, at, out);
  }
}

/** The reference part of docs/configuration.md: every section, every key, its type, default and meaning. */
export function configReference(): string {
  const out: string[] = [REFERENCE_MARK, ''];
  for (const section of configSections()) {
    out.push(`## ${section.name}`, '', section.settings.doc, '');
    out.push('| key | type | default | meaning |', '| --- | --- | --- | --- |');
    rows(section.settings, '', out);
    out.push('');
  }
  return out.join('\n');
}

/** The page with its reference part replaced by `reference` (already formatted by the caller). */
export function withReference(page: string, reference: string): string {
  const at = page.indexOf(REFERENCE_MARK);
  return (at < 0 ? page.trimEnd() + '\n\n' : page.slice(0, at)) + reference.trimEnd() + '\n';
}

/** Rewrites the reference part of a page in place; `format` makes it look as the formatter would. */
export async function writeConfigReference(
  file: string,
  format: (markdown: string) => Promise<string> = async (m) => m,
): Promise<void> {
  const page = readFileSync(file, 'utf8');
  writeFileSync(file, await format(withReference(page, configReference())));
}
