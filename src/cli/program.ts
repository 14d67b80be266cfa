import { Command } from 'commander';
import { registerManageSieveCommand } from './managesieve.js';
import { registerUsersCommand } from './users.js';
import { registerSieveClientCommand } from './sieve-client.js';
import { registerCheck } from './check.js';
import { registerTest } from './test.js';
import { registerFilter } from './filter.js';
import { registerVacationCommand } from './vacation.js';
import { registerForwardCommand } from './forward.js';
import { registerDeliverCommand } from './deliver.js';
import { registerLmtpCommand } from './lmtp.js';
import { registerStartCommand } from './start.js';
import { registerWebmailCommand } from './webmail.js';

/** The `tamis` command line. */
export async function runCli(): Promise<void> {
  const program = new Command();
  program.name('tamis').description('Sieve mail filtering engine and ManageSieve server').version('0.1.0');

  // Each subcommand lives in its own module and registers itself here.
  registerUsersCommand(program);
  registerSieveClientCommand(program);
  registerManageSieveCommand(program);
  registerCheck(program);
  registerTest(program);
  registerFilter(program);
  registerVacationCommand(program);
  registerForwardCommand(program);
  registerDeliverCommand(program);
  registerLmtpCommand(program);
  registerStartCommand(program);
  registerWebmailCommand(program);

  await program.parseAsync(process.argv);
}
