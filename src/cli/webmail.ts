import type { Command } from 'commander';
import { failCommand, stopOnSignals } from './service.js';

interface WebmailCliOptions {
  config?: string;
  listen?: string;
  managesieve?: string;
}

/** Registers `tamis webmail`: the webmail settings service over a ManageSieve server. */
export function registerWebmailCommand(program: Command): void {
  program
    .command('webmail')
    .description('Run the webmail settings pages and API (vacation, forwarding, filters) over ManageSieve')
    .option(
      '--config <file>',
      'configuration file (JSON; its engine and webmail sections; options override it)',
    )
    .option('--listen <host:port>', 'HTTP address to listen on (default 127.0.0.1:8080)')
    .option('--managesieve <host:port>', 'ManageSieve server users log in to (default 127.0.0.1:4190)')
    .action(async (opts: WebmailCliOptions, cmd: Command) => {
      try {
        // Loaded here so other commands start without fastify.
        const { loadConfig, startWebmail, consoleWebmailLogger } = await import('../app/index.js');
        const file = opts.config ? loadConfig(opts.config) : {};
        const section = {
          ...file.webmail,
          ...(opts.listen ? { listen: opts.listen } : {}),
          ...(opts.managesieve ? { managesieve: opts.managesieve } : {}),
        };
        const started = await startWebmail(section, { engine: file.engine, logger: consoleWebmailLogger });
        process.stdout.write(`tamis webmail: ${started.url}\n`);
        stopOnSignals(() => started.close());
      } catch (err) {
        failCommand(cmd, 'webmail', err);
      }
    });
}
