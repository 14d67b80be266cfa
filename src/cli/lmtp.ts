import type { Command } from 'commander';
import { failCommand, stopOnSignals } from './service.js';

interface LmtpCliOptions {
  config?: string;
  listen?: string;
  data?: string;
  users?: string;
  relay?: string;
}

/** Registers `tamis lmtp`, the LMTP delivery service (RFC 2033) for an MTA's high-volume path. */
export function registerLmtpCommand(program: Command): void {
  program
    .command('lmtp')
    .description('Run the LMTP delivery service (RFC 2033); one reply per recipient after DATA')
    .option(
      '--config <file>',
      'configuration file (JSON; its engine and delivery sections; options override it)',
    )
    .option('--listen <address>', 'HOST:PORT or a Unix socket path (default 127.0.0.1:2424)')
    .option('--data <dir>', 'data folder (default $XDG_DATA_HOME/tamis or ./tamis-data)')
    .option('--users <file>', 'passwd-file with the users (default <data>/users)')
    .option('--relay <url>', 'SMTP relay for outgoing mail (smtp://HOST:PORT)')
    .action(async (opts: LmtpCliOptions, cmd: Command) => {
      try {
        const { loadConfig, startLmtp, deliveryLogger } = await import('../app/index.js');
        const file = opts.config ? loadConfig(opts.config) : {};
        const base = file.delivery ?? {};
        const settings = {
          ...base,
          dataDir: opts.data ?? base.dataDir,
          usersFile: opts.users ?? base.usersFile,
          relay: opts.relay ?? base.relay,
          lmtp: { ...base.lmtp, ...(opts.listen ? { listen: opts.listen } : {}) },
        };
        const logger = deliveryLogger(settings.logFile ?? 'stdout', 'lmtp');
        const started = await startLmtp(settings, logger, file.engine);
        stopOnSignals(
          () => started.close().then(() => logger.flush()),
          () => logger.info('lmtp: stopping; finishing deliveries in flight'),
        );
      } catch (err) {
        failCommand(cmd, 'lmtp', err);
      }
    });
}
