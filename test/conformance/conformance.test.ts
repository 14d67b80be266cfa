import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSuiteFiles, renderReport, runOne, SUITE_DIR, type FileVerdict } from './runner.js';

const files = listSuiteFiles();
const expected = readFileSync(resolve(import.meta.dirname, 'expected-pass.txt'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe.skipIf(files.length === 0)(`Pigeonhole conformance (${SUITE_DIR})`, () => {
  const verdicts = new Map<string, FileVerdict>();
  const get = (f: string) => {
    let v = verdicts.get(f);
    if (!v) {
      v = runOne(f);
      verdicts.set(f, v);
    }
    return v;
  };

  it.each(expected)('%s passes', (file) => {
    expect(files, `${file} is listed as expected to pass but is not in the suite`).toContain(file);
    const v = get(file);
    expect(v.firstFailure ?? '', `${file}: ${v.firstFailure}`).toBe('');
    expect(v.status).toBe('pass');
  });

  it.runIf(process.env.CONFORMANCE_REPORT === '1')('writes docs/conformance.md', () => {
    const all = files.map(get);
    writeFileSync(resolve(import.meta.dirname, '../../docs/conformance.md'), renderReport(all));
    expect(all.length).toBe(files.length);
  });
});

it.runIf(files.length === 0)('conformance suite is absent: skipped', () => {
  console.warn(`conformance suite not found at ${SUITE_DIR}; skipping`);
});
