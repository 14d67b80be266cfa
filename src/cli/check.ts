import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatDiagnosticWithSource } from './format.js';
import { createEngine, exitCodeFor, warnOn } from './test.js';

/** `tamis check`: compiles each script; prints errors and warnings; 0 when all are valid. */
export async function runCheck(scripts: string[], opts: { config?: string }): Promise<number> {
  const engine = await createEngine(opts.config, warnOn('check'));
  let ok = true;
  for (const file of scripts) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(
        `${file}: cannot read script: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`,
      );
      ok = false;
      continue;
    }
    const { errors, warnings } = engine.compile(source);
    if (errors.length) ok = false;
    // Errors and warnings in script order, so related ones read together.
    const all = [...errors, ...warnings].sort((a, b) => a.line - b.line || a.column - b.column);
    for (const d of all) process.stderr.write(formatDiagnosticWithSource(d, file, source) + '\n');
  }
  return ok ? 0 : 1;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check Sieve scripts for errors (exit 0 when all are valid)')
    .argument('<script...>', 'Sieve scripts')
    .option('--config <file>', 'configuration file (JSON; its engine section is used)')
    .action(async (scripts: string[], opts: { config?: string }) => {
      try {
        process.exitCode = await runCheck(scripts, opts);
      } catch (e) {
        process.stderr.write(`tamis check: ${(e as Error).message}\n`);
        process.exitCode = exitCodeFor(e);
      }
    });
}
