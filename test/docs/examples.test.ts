import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const pages = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const exported = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).exports as object)
  .filter((k) => k !== './package.json')
  .map((k) => (k === '.' ? 'tamis' : `tamis/${k.slice(2)}`));

function codeBlocks(text: string): string[] {
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('documentation examples', () => {
  it('import only from the public entry points', () => {
    const bad: string[] = [];
    for (const page of pages) {
      for (const block of codeBlocks(readFileSync(join(ROOT, page), 'utf8'))) {
        for (const m of block.matchAll(/from '([^']+)'/g)) {
          const spec = m[1]!;
          if (spec.startsWith('node:')) continue;
          if (!exported.includes(spec)) bad.push(`${page}: ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("the README's API tour prints what its comment says", () => {
    const block = codeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'))[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'tamis-readme-'));
    try {
      const file = join(dir, 'tour.mts');
      writeFileSync(
        file,
        block.replace("from 'tamis'", `from ${JSON.stringify(join(ROOT, 'src/index.ts'))}`),
      );
      const out = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8' });
      expect(out).toMatch(/type: 'fileinto', mailbox: 'Junk'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the extension example of api.md runs and prints what its comment says', () => {
    const block = codeBlocks(readFileSync(join(ROOT, 'docs/api.md'), 'utf8')).find((b) =>
      b.includes('defineAttachment'),
    )!;
    const dir = mkdtempSync(join(tmpdir(), 'tamis-ext-example-'));
    try {
      const file = join(dir, 'example.mts');
      writeFileSync(
        file,
        block
          .replace("from 'tamis/extension'", `from ${JSON.stringify(join(ROOT, 'src/extension.ts'))}`)
          .replace("from 'tamis'", `from ${JSON.stringify(join(ROOT, 'src/index.ts'))}`),
      );
      const out = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8' });
      expect(out).toMatch(/type: 'fileinto', mailbox: 'Long', flags: \[ 'long' \]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
