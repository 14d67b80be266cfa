import type { Command } from 'commander';
import type { DeliverOptions } from '../app/deliver-command.js';

const EX_USAGE = 64;
const EX_TEMPFAIL = 75;

/** Registers `tamis deliver`, the local delivery agent an MTA runs once per message (Postfix mailbox_command). */
export function registerDeliverCommand(program: Command): void {
  const cmd = program
    .command('deliver')
    .description('Deliver one message from standard input to one recipient (exit codes per sysexits)')
    .option('--config <file>', 'configuration file (JSON; its engine and delivery sections)')
    .option('--data <dir>', 'data folder (default $XDG_DATA_HOME/tamis or ./tamis-data)')
    .option('--users <file>', 'passwd-file with the users (default <data>/users)')
    .option('-f <sender>', 'envelope sender (default: the Return-Path field, else <>)')
    .option('-r <address>', 'original recipient (ORCPT)')
    .option('-a <recipient>', 'recipient address (required)')
    .option('-m <mailbox>', 'folder for the implicit keep instead of INBOX')
    .option('--relay <url>', 'SMTP relay for outgoing mail (smtp://HOST:PORT)')
    // A mistyped option must not bounce the message: EX_USAGE tells the MTA the setup is broken.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EX_USAGE))
    .action(async (opts: DeliverOptions) => {
      let code: number = EX_TEMPFAIL;
      try {
        const { runDeliver } = await import('../app/deliver-command.js');
        code = await runDeliver(opts);
      } catch (err) {
        process.stderr.write(`tamis deliver: temporary failure: ${(err as Error).message}\n`);
      }
      process.exitCode = code;
    });
  cmd.showHelpAfterError(false);
}
