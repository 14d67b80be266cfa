import { isFilterWorker } from './worker-arg.js';

/**
 * Entry of the command line. `tamis filter --jobs` starts worker threads on this same file.
 * Subcommands are imported on demand, so a command loads only what it runs.
 */
async function main(): Promise<void> {
  if (isFilterWorker()) {
    const { runFilterWorker } = await import('./filter-worker.js');
    await runFilterWorker();
  } else {
    const { runCli } = await import('./program.js');
    await runCli();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`tamis: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
