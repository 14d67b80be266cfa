import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { ManageSieveClient, ClientMechanismName, ConnectOptions } from '../managesieve/client/index.js';
import { ManageSieveError } from '../managesieve/client/errors.js';
import { processIo, readSecret, type CliIo } from './read-secret.js';

/** The connection options `tamis sieve-client` takes, shared by the commands that edit scripts on a server. */
export interface GlobalOptions {
  host: string;
  port: number;
  user?: string;
  authzid?: string;
  passwordFd?: number;
  passwordEnv?: string;
  starttls?: boolean;
  tls?: boolean;
  insecure?: boolean;
  cafile?: string;
  mech?: ClientMechanismName;
  allowPlaintext?: boolean;
  debug?: boolean;
}

const MECHS: ClientMechanismName[] = ['PLAIN', 'LOGIN', 'SCRAM-SHA-256', 'OAUTHBEARER'];
const PLAINTEXT_MECHS = new Set<string>(['PLAIN', 'LOGIN', 'OAUTHBEARER']);

const isLoopback = (host: string): boolean =>
  host === 'localhost' || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '::1';

function intArg(name: string, max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) > max) throw new Error(`${name} must be a number up to ${max}`);
    return Number(v);
  };
}

async function readPassword(o: GlobalOptions, io: CliIo, user: string): Promise<string> {
  if (o.passwordEnv !== undefined) {
    const v = process.env[o.passwordEnv];
    if (v === undefined) throw new Error(`environment variable ${o.passwordEnv} is not set`);
    return v;
  }
  if (o.passwordFd !== undefined) {
    // The first line of whatever the descriptor holds (a pipe, a here-string, a file).
    const text = readFileSync(o.passwordFd, 'utf8');
    return text.split('\n')[0]!.replace(/\r$/, '');
  }
  return readSecret(io, `Password for ${user}@${o.host}: `);
}

/** Connects, upgrades to TLS when offered, and logs in; the caller logs out. */
export async function openSession(o: GlobalOptions, io: CliIo): Promise<ManageSieveClient> {
  if (!o.user) throw new Error('--user is required');
  const tlsOptions = {
    ...(o.insecure ? { rejectUnauthorized: false } : {}),
    ...(o.cafile ? { ca: readFileSync(o.cafile) } : {}),
  };
  const mode: ConnectOptions['tls'] = o.tls ? 'implicit' : o.starttls ? 'starttls' : 'none';
  const debug = o.debug ? (d: 'C' | 'S', l: string) => void io.stderr.write(`${d}: ${l}\n`) : undefined;
  const { ManageSieveClient } = await import('../managesieve/client/index.js');
  const client = await ManageSieveClient.connect(o.host, o.port, {
    tls: mode,
    tlsOptions,
    timeoutMs: 120_000,
    ...(debug ? { debug } : {}),
  });
  try {
    // Without --starttls or --tls, still upgrade when the server offers it.
    if (mode === 'none' && client.capabilities.startTls) await client.startTls(tlsOptions);
    const offered = client.capabilities.sasl;
    const mech =
      o.mech ?? (['PLAIN', 'SCRAM-SHA-256', 'LOGIN'] as const).find((m) => offered.includes(m)) ?? 'PLAIN';
    if (!offered.includes(mech))
      throw new Error(`the server does not offer ${mech} (it offers: ${offered.join(' ') || 'none'})`);
    if (PLAINTEXT_MECHS.has(mech) && !client.secure && !isLoopback(o.host) && !o.allowPlaintext)
      throw new Error(
        `refusing to send a ${mech} password over an unencrypted connection (use TLS or --allow-plaintext)`,
      );
    const secret = await readPassword(o, io, o.user);
    await client.authenticate(mech, o.user, secret, o.authzid);
    return client;
  } catch (err) {
    client.destroy();
    throw err;
  }
}

async function readScript(file: string, io: CliIo): Promise<Buffer> {
  if (file !== '-') return readFileSync(file);
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks);
}

/** An error as one line for the terminal, with a hint for untrusted certificates. */
export function describeError(err: unknown): string {
  if (err instanceof ManageSieveError) {
    const code = err.code ? ` (${err.code}${err.codeArgs ? ' ' + err.codeArgs.join(' ') : ''})` : '';
    return `${err.command ?? 'command'} failed: ${err.response}${code} ${err.message.trimEnd()}`;
  }
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|CERT_/.test(code)) {
    return `${(err as Error).message}: the server's certificate is not trusted; name its CA with --cafile FILE (or use --insecure for a test server)`;
  }
  return (err as Error).message;
}

/** Adds the options that say how to reach and log in to a ManageSieve server. */
export function addConnectionOptions(cmd: Command, defaultHost?: string): Command {
  return cmd
    .option('--host <host>', 'server host', defaultHost)
    .option('--port <port>', 'server port', intArg('--port', 65535), 4190)
    .option('--user <user>', 'user name to log in as')
    .option('--authzid <user>', 'authorization identity (act as this user)')
    .option(
      '--password-fd <fd>',
      'read the password from this file descriptor (first line)',
      intArg('--password-fd', 1 << 20),
    )
    .option('--password-env <var>', 'read the password from this environment variable')
    .option('--starttls', 'require STARTTLS (by default it is used when the server offers it)')
    .option('--tls', 'connect with implicit TLS')
    .option('--insecure', 'do not verify the server certificate')
    .option('--cafile <file>', 'trust the CA certificate(s) in this PEM file')
    .addOption(
      new Option(
        '--mech <mechanism>',
        'SASL mechanism (default: PLAIN, else SCRAM-SHA-256, else LOGIN)',
      ).choices(MECHS),
    )
    .option('--allow-plaintext', 'allow sending a password without TLS to a non-loopback host')
    .option('--debug', 'print the protocol exchange (without authentication data) on standard error');
}

/** Registers `tamis sieve-client`: a command-line ManageSieve client. */
export function registerSieveClientCommand(program: Command, io: CliIo = processIo()): void {
  const sc = addConnectionOptions(
    program.command('sieve-client').description('Manage Sieve scripts on a ManageSieve (RFC 5804) server'),
    '127.0.0.1',
  );

  /** Wraps an action: opens a session, runs it, logs out, maps errors to exit code 1. */
  const action =
    (fn: (c: ManageSieveClient, args: string[], opts: Record<string, unknown>) => Promise<void>) =>
    async (...all: unknown[]): Promise<void> => {
      const cmd = all[all.length - 1] as Command;
      const opts = all[all.length - 2] as Record<string, unknown>;
      const args = all.slice(0, -2) as string[];
      const o = cmd.optsWithGlobals() as GlobalOptions;
      let client: ManageSieveClient | null = null;
      try {
        if (
          args.at(-1) === '-' &&
          ['put', 'check'].includes(cmd.name()) &&
          o.passwordFd === undefined &&
          o.passwordEnv === undefined
        )
          throw new Error(
            'the script comes from standard input, so give the password with --password-fd or --password-env',
          );
        client = await openSession(o, io);
        await fn(client, args, opts);
        await client.logout();
      } catch (err) {
        client?.destroy();
        cmd.error(`tamis sieve-client: ${describeError(err)}`, { exitCode: 1, code: 'tamis.sieve-client' });
      }
    };

  sc.command('list')
    .description('List scripts; the active one is marked')
    .option('--json', 'print JSON')
    .action(
      action(async (c, _args, opts) => {
        const scripts = await c.listScripts();
        if (opts.json) io.stdout.write(JSON.stringify(scripts) + '\n');
        else for (const s of scripts) io.stdout.write(`${s.name}${s.active ? '\t(active)' : ''}\n`);
      }),
    );

  sc.command('get')
    .description('Download a script to FILE (standard output when absent or "-")')
    .argument('<name>')
    .argument('[file]')
    .action(
      action(async (c, [name, file]) => {
        const bytes = await c.getScriptBytes(name!);
        if (file === undefined || file === '-') io.stdout.write(bytes);
        else writeFileSync(file, bytes);
      }),
    );

  sc.command('put')
    .description('Upload FILE ("-" = standard input) as script NAME')
    .argument('<name>')
    .argument('<file>')
    .action(
      action(async (c, [name, file]) => {
        const r = await c.putScript(name!, await readScript(file!, io));
        if (r.warnings) io.stderr.write(`warnings:\n${r.warnings.trimEnd()}\n`);
      }),
    );

  sc.command('activate')
    .description('Make script NAME the active one')
    .argument('<name>')
    .action(action(async (c, [name]) => c.setActive(name!)));

  sc.command('deactivate')
    .description('Deactivate the active script')
    .action(action(async (c) => c.setActive('')));

  sc.command('delete')
    .description('Delete script NAME')
    .argument('<name>')
    .action(action(async (c, [name]) => c.deleteScript(name!)));

  sc.command('rename')
    .description('Rename script OLD to NEW')
    .argument('<old>')
    .argument('<new>')
    .action(action(async (c, [oldName, newName]) => c.renameScript(oldName!, newName!)));

  sc.command('check')
    .description('Ask the server to validate FILE ("-" = standard input) without storing it')
    .argument('<file>')
    .action(
      action(async (c, [file]) => {
        const r = await c.checkScript(await readScript(file!, io));
        if (r.warnings) io.stderr.write(`warnings:\n${r.warnings.trimEnd()}\n`);
        io.stdout.write('OK\n');
      }),
    );
}
