/**
 * Runs the tamis command line as a separate process. TAMIS_CLI names a built CLI to test;
 * otherwise dist/cli/main.cjs is used when it is newer than every source file, and the
 * TypeScript sources (through tsx) when it is not, so a stale build is never tested.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Node arguments that start the CLI (append the subcommand and its arguments). */
export function cliCommand(): string[] {
  if (process.env.TAMIS_CLI) return [process.env.TAMIS_CLI];
  const dist = join(ROOT, 'dist/cli/main.cjs');
  if (existsSync(dist) && statSync(dist).mtimeMs > newestMtime(join(ROOT, 'src'))) return [dist];
  // tsx by its resolved URL, so a CLI started in another working directory still finds it.
  return [
    '--import',
    pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
    join(ROOT, 'src/cli/cli.ts'),
  ];
}

const command = cliCommand();

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...command, ...args],
      { cwd: options.cwd ?? ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Parses output made of one JSON object per line. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
