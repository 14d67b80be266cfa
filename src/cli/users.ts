import { Command, Option } from 'commander';
import type { HashScheme } from '../accounts/index.js';
import { processIo, readSecret, type CliIo } from './read-secret.js';

const SCHEMES: HashScheme[] = ['SHA512-CRYPT', 'BLF-CRYPT', 'ARGON2ID', 'SCRAM-SHA-256', 'PLAIN'];

/** Registers `tamis users add FILE USER`, which writes a Dovecot-compatible passwd-file entry. */
export function registerUsersCommand(program: Command, io: CliIo = processIo()): void {
  const users = program.command('users').description('Manage users of a passwd-file user directory');
  const add = users
    .command('add')
    .description(
      'Add a user to a passwd-file, or replace its entry. The password is the first line of standard input.',
    )
    .argument('<file>', 'passwd-file (created with mode 0600 when missing)')
    .argument('<user>', 'user name')
    .addOption(
      new Option('--scheme <scheme>', 'password scheme')
        .choices(SCHEMES)
        .default('SHA512-CRYPT' satisfies HashScheme),
    )
    .option('--home <dir>', 'home directory stored in the entry')
    .option('--rounds <n>', 'cost: SHA-crypt rounds, bcrypt cost, Argon2 passes or SCRAM iterations', (v) => {
      if (!/^\d+$/.test(v)) throw new Error('--rounds must be a positive integer');
      return Number(v);
    })
    .action(
      async (file: string, user: string, opts: { scheme: HashScheme; home?: string; rounds?: number }) => {
        try {
          const password = await readSecret(io, `Password for ${user}: `);
          if (password === '')
            throw new Error('empty password (give it as the first line of standard input)');
          const { hashPassword, upsertPasswdEntry } = await import('../accounts/index.js');
          const hashed = await hashPassword(password, opts.scheme, { rounds: opts.rounds });
          const result = await upsertPasswdEntry(file, {
            user,
            password: hashed,
            uid: '',
            gid: '',
            gecos: '',
            home: opts.home ?? '',
            shell: '',
            extra: {},
          });
          io.stdout.write(
            `${result === 'added' ? 'Added' : 'Replaced'} ${user} in ${file} (${opts.scheme})\n`,
          );
        } catch (err) {
          add.error(`tamis users add: ${(err as Error).message}`, { exitCode: 1, code: 'tamis.users' });
        }
      },
    );
}
