/** Rewrites the generated reference part of docs/configuration.md (`npm run docs:config`). */
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { writeConfigReference } from '../../src/app/config-reference.js';

const ROOT = join(import.meta.dirname, '../..');
const page = join(ROOT, 'docs/configuration.md');

/** The page as prettier leaves it, so the check in config-reference.test.ts matches `prettier --check`. */
export async function formatPage(markdown: string): Promise<string> {
  const options = (await resolveConfig(page)) ?? {};
  return format(markdown, { ...options, parser: 'markdown' });
}

if (process.argv[1] === import.meta.filename) await writeConfigReference(page, formatPage);
