import type { Command } from 'commander';
import type { ManageSieveConfig } from '../app/index.js';
import { failCommand, stopOnSignals } from './service.js';
import { warnOn } from './test.js';

interface ManageSieveCliOptions {
  config?: string;
  listen?: string;
  data?: string;
  users?: string;
  tlsCert?: string;
  tlsKey?: string;
  implicitTls?: boolean;
  insecureAuth?: boolean;
}

/** Registers `tamis managesieve`, the ManageSieve (RFC 5804) server. */
export function registerManageSieveCommand(program: Command): void {
  program
    .command('managesieve')
    .description('Run the ManageSieve server (RFC 5804); runs with no configuration at all')
    .option(
      '--config <file>',
      'configuration file (JSON; its engine and managesieve sections; options override it)',
    )
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:4190)')
    .option('--data <dir>', 'data folder (default $XDG_DATA_HOME/tamis or ./tamis-data)')
    .option('--users <file>', 'passwd-file with the users (default <data>/users)')
    .option('--tls-cert <file>', 'TLS certificate (PEM); default: a generated self-signed one')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--implicit-tls', 'speak TLS from the first byte instead of offering STARTTLS')
    .option('--insecure-auth', 'allow PLAIN and LOGIN without TLS (for trusted networks and tests only)')
    .action(async (opts: ManageSieveCliOptions, cmd: Command) => {
      try {
        // Loaded here so other commands start without the server's TLS and hashing code.
        const { loadConfig, startManageSieve } = await import('../app/index.js');
        const { SieveEngine } = await import('../index.js');
        const file = opts.config
          ? loadConfig(opts.config, { flat: 'managesieve', warn: warnOn('managesieve') })
          : {};
        const base: ManageSieveConfig = file.managesieve ?? {};
        if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
          throw new Error('--tls-cert and --tls-key must be given together');
        }
        const config: ManageSieveConfig = {
          ...base,
          listen: opts.listen ?? base.listen,
          dataDir: opts.data ?? base.dataDir,
          usersFile: opts.users ?? base.usersFile,
          insecureAuth: opts.insecureAuth ?? base.insecureAuth,
          tls: {
            ...base.tls,
            ...(opts.tlsCert ? { cert: opts.tlsCert, key: opts.tlsKey } : {}),
            ...(opts.implicitTls ? { implicit: true } : {}),
          },
        };
        // Uploads are checked, and capabilities advertised, by the engine the file configures.
        const started = await startManageSieve(config, undefined, new SieveEngine({ config: file.engine }));
        stopOnSignals(() => started.server.close());
      } catch (err) {
        failCommand(cmd, 'managesieve', err);
      }
    });
}
