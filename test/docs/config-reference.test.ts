import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/app/index.js';
import { configReference, withReference } from '../../src/app/config-reference.js';
import { engineSettings } from '../../src/index.js';
import { formatPage } from './write-config-reference.js';

const ROOT = join(import.meta.dirname, '../..');
const page = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');

describe('docs/configuration.md', () => {
  it('holds the reference generated from the settings declarations (npm run docs:config)', async () => {
    expect(page).toBe(await formatPage(withReference(page, configReference())));
  });

  it('lists every engine setting with its default', () => {
    const reference = configReference();
    for (const key of Object.keys(engineSettings.fields!)) expect(reference).toContain(`| \`${key}\` |`);
    expect(reference).toContain('| `vacation.minPeriod` | an integer >= 0 | `86400` |');
  });

  it('has examples, and example files, that the loader accepts', () => {
    const blocks = ['configuration.md', 'managesieve.md', 'cli.md'].flatMap((name) =>
      // Blocks of command output (`"status"`) and trace events (`"kind"`) are not configuration.
      [...readFileSync(join(ROOT, 'docs', name), 'utf8').matchAll(/^```json\n([\s\S]*?)```/gm)]
        .map((m) => m[1]!)
        .filter((b) => !b.includes('"status"') && !b.includes('"kind"')),
    );
    expect(blocks.length).toBe(3);
    const dir = join(ROOT, 'examples/config');
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
    for (const text of [...blocks, ...files])
      expect(() => checkConfig(JSON.parse(text), 'example', ROOT)).not.toThrow();
  });
});
