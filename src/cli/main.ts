import { isMainThread, workerData } from 'node:worker_threads';
import { Command } from 'commander';
import { registerManageSieveCommand } from './managesieve.js';
import { registerUsersCommand } from './users.js';
import { registerSieveClientCommand } from './sieve-client.js';
import { registerCheck } from './check.js';
import { registerTest } from './test.js';
import { registerFilter } from './filter.js';

// `tamis filter` shares large folders between worker threads that run this same file.
if (!isMainThread && (workerData as { tamisWorker?: string } | null)?.tamisWorker === 'filter') {
  const { runFilterWorker } = await import('./filter-worker.js');
  await runFilterWorker();
} else {
  await runCli();
}

async function runCli(): Promise<void> {
  const program = new Command();
  program.name('tamis').description('Sieve mail filtering engine and ManageSieve server').version('0.1.0');

  // Each subcommand lives in its own module and registers itself here.
  registerUsersCommand(program);
  registerSieveClientCommand(program);
  registerManageSieveCommand(program);
  registerCheck(program);
  registerTest(program);
  registerFilter(program);

  await program.parseAsync(process.argv);
}
