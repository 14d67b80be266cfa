import { Command } from 'commander';

const program = new Command();
program.name('tamis').description('Sieve mail filtering engine and ManageSieve server').version('0.1.0');

// Each subcommand lives in its own module and registers itself here.

await program.parseAsync(process.argv);
