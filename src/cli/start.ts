import type { Command } from 'commander';
import { failCommand, stopOnSignals } from './service.js';

interface StartCliOptions {
  config?: string;
  data?: string;
  users?: string;
  relay?: string;
  managesieveListen?: string;
  lmtpListen?: string;
  webmailListen?: string;
}

/** Registers `tamis start`: ManageSieve and LMTP together with embedded defaults (what `npm start` runs). */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'Run ManageSieve (127.0.0.1:4190), LMTP (127.0.0.1:2424) and the webmail (127.0.0.1:8080) with no configuration at all',
    )
    .option(
      '--config <file>',
      'configuration file (JSON; its engine, managesieve, delivery and webmail sections)',
    )
    .option('--data <dir>', 'data folder (default $XDG_DATA_HOME/tamis or ./tamis-data)')
    .option('--users <file>', 'passwd-file with the users (default <data>/users)')
    .option('--relay <url>', 'SMTP relay for outgoing mail (default: the outbox folder in the data folder)')
    .option('--managesieve-listen <host:port>', 'ManageSieve address (default 127.0.0.1:4190)')
    .option('--lmtp-listen <address>', 'LMTP HOST:PORT or socket path (default 127.0.0.1:2424)')
    .option('--webmail-listen <host:port>', 'webmail settings pages address (default 127.0.0.1:8080)')
    .action(async (opts: StartCliOptions, cmd: Command) => {
      try {
        const { startAll, loadConfig } = await import('../app/index.js');
        const file = opts.config ? loadConfig(opts.config) : {};
        const started = await startAll({
          dataDir: opts.data,
          usersFile: opts.users,
          relay: opts.relay,
          managesieveListen: opts.managesieveListen,
          lmtpListen: opts.lmtpListen,
          webmailListen: opts.webmailListen,
          delivery: file.delivery,
          engine: file.engine,
          managesieve: file.managesieve,
          webmail: file.webmail,
        });
        stopOnSignals(
          () => started.close(),
          () => process.stdout.write('tamis: stopping; finishing deliveries in flight\n'),
        );
      } catch (err) {
        failCommand(cmd, 'start', err);
      }
    });
}
