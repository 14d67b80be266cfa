/**
 * What `tamis vacation` and `tamis forward` share: show, set, enable and disable a rule, in a script
 * file (the result is printed) or in the active script of a user on a ManageSieve server.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { MergeResult, ReadResult, Refusal } from '../autoresponder/index.js';

// The library (and with it the engine) is imported when a subcommand runs, not at start-up.
type Library = typeof import('../autoresponder/index.js');
import type { ManageSieveClient } from '../managesieve/client/index.js';
import { processIo, type CliIo } from './read-secret.js';
import { addConnectionOptions, describeError, openSession, type GlobalOptions } from './sieve-client.js';

type Kind = 'vacation' | 'forward';

/** Exit status of a refusal: the script was left alone because changing it would lose something. */
export const EXIT_REFUSED = 2;

/** The name of the script created for a user who has none. */
export const DEFAULT_SCRIPT_NAME = 'tamis';

interface RuleOptions extends GlobalOptions {
  json?: boolean;
  settings?: string;
  force?: boolean;
  scriptName?: string;
}

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

async function readInput(file: string, io: CliIo): Promise<string> {
  if (file !== '-') return readFileSync(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

function describeRefusal(r: Refusal): string {
  const lines = [`refused (${r.code}): ${r.message}`, ...r.details.map((d) => `  ${d}`)];
  if (r.current !== undefined) lines.push('the rule now:', r.current.replace(/\r\n/g, '\n'));
  if (r.proposed !== undefined) lines.push('tamis would write:', r.proposed.replace(/\r\n/g, '\n'));
  if (r.code === 'unknown-parts' || r.code === 'several-rules')
    lines.push('(use --force to write it anyway)');
  return lines.join('\n') + '\n';
}

function showText(settings: Record<string, unknown>): string {
  return (
    Object.entries(settings)
      .map(
        ([k, v]) =>
          `${k}: ${typeof v === 'string' ? v.replace(/\n/g, '\n  ') : Array.isArray(v) ? v.join(', ') : String(v)}`,
      )
      .join('\n') + '\n'
  );
}

function show(ar: Library, kind: Kind, source: string | null, o: RuleOptions, io: CliIo): void {
  const read = kind === 'vacation' ? ar.readVacation : ar.readForward;
  const r: ReadResult<object> = source === null ? { ok: true, found: false } : read(source);
  if (!r.ok)
    throw new Error(
      `the script has syntax errors: ${r.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')}`,
    );
  const settings = r.found ? (r.settings as Record<string, unknown>) : { enabled: false };
  io.stdout.write(o.json ? JSON.stringify(settings) + '\n' : showText(settings));
  if (!r.found && r.nested?.length) {
    io.stderr.write(
      `note: the script sends vacation replies from inside other rules, which tamis does not edit:\n${r.nested.map((n) => `  ${n}\n`).join('')}`,
    );
  }
  if (r.found && r.unknown.length) {
    io.stderr.write(
      `note: the ${kind} rule also holds what these settings cannot show:\n${r.unknown.map((u) => `  ${u}\n`).join('')}`,
    );
  }
}

async function settingsFrom(o: RuleOptions, io: CliIo): Promise<unknown> {
  if (!o.settings) throw new Error('--settings FILE.json is required');
  const text = await readInput(o.settings, io);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${o.settings} is not JSON: ${(e as Error).message}`);
  }
}

/** The edit a subcommand makes, applied to a script (null: there is none yet). */
type Edit = (source: string | null) => MergeResult;

function applied(r: MergeResult): string {
  if (!r.ok) throw new Refused(r.refusal);
  return r.script;
}

/** Edits the active script of the logged-in user (creating and activating one when there is none). */
async function onServer(
  ar: Library,
  client: ManageSieveClient,
  change: Edit,
  o: RuleOptions,
  io: CliIo,
): Promise<void> {
  const r = await ar.editActiveScript(client, change, o.scriptName ?? DEFAULT_SCRIPT_NAME);
  if (!r.ok) throw new Refused(r.refusal);
  if (r.change === 'unchanged') {
    io.stderr.write('nothing to change\n');
    return;
  }
  if (r.warnings) io.stderr.write(`warnings:\n${r.warnings.trimEnd()}\n`);
  io.stderr.write(
    `${r.change === 'added' ? 'added to' : 'updated'} script ${JSON.stringify(r.name)}${r.created ? ' (now active)' : ''}\n`,
  );
}

/** Registers `tamis vacation` or `tamis forward` with its four subcommands. */
export function registerRuleCommand(program: Command, kind: Kind, io: CliIo = processIo()): void {
  const what = kind === 'vacation' ? 'the vacation (out of office) rule' : 'the forwarding rule';
  const settingsType = kind === 'vacation' ? 'VacationSettings' : 'ForwardSettings';
  const top = addConnectionOptions(
    program
      .command(kind)
      .description(
        `Show or change ${what} of a script file, or, with --user, of the active script on a ManageSieve server`,
      ),
    '127.0.0.1',
  ).option(
    '--script-name <name>',
    `script to create when the user has no active script (default ${DEFAULT_SCRIPT_NAME})`,
  );

  const run =
    (action: 'show' | 'set' | 'enable' | 'disable') =>
    async (file: string | undefined, _opts: unknown, cmd: Command): Promise<void> => {
      const o = cmd.optsWithGlobals() as RuleOptions;
      const remote = o.user !== undefined;
      let client: ManageSieveClient | null = null;
      try {
        const ar: Library = await import('../autoresponder/index.js');
        if (remote && file !== undefined) throw new Error('give either SCRIPT or --user, not both');
        if (!remote && file === undefined && action !== 'set') {
          throw new Error(
            'give a SCRIPT file ("-" for standard input), or --user to edit the active script on a server',
          );
        }
        const settings = action === 'set' ? await settingsFrom(o, io) : undefined;
        if (remote && o.settings === '-' && o.passwordFd === undefined && o.passwordEnv === undefined) {
          throw new Error(
            'the settings come from standard input, so give the password with --password-fd or --password-env',
          );
        }
        if (action === 'show') {
          if (!remote) return show(ar, kind, await readInput(file!, io), o, io);
          client = await openSession(o, io);
          show(ar, kind, (await ar.readActiveScript(client))?.source ?? null, o, io);
        } else {
          const change = ar.ruleEdit(kind, action, settings, o.force === true);
          if (!remote) {
            io.stdout.write(applied(change(file === undefined ? null : await readInput(file, io))));
            return;
          }
          client = await openSession(o, io);
          await onServer(ar, client, change, o, io);
        }
        await client?.logout();
      } catch (err) {
        client?.destroy();
        if (err instanceof Refused) {
          io.stderr.write(describeRefusal(err.refusal));
          cmd.error(`tamis ${kind}: the script was left unchanged`, {
            exitCode: EXIT_REFUSED,
            code: `tamis.${kind}.refused`,
          });
        }
        cmd.error(`tamis ${kind} ${action}: ${describeError(err)}`, { exitCode: 1, code: `tamis.${kind}` });
      }
    };

  top
    .command('show')
    .description(`Print the settings of ${what} (${'{"enabled":false}'} when there is none)`)
    .argument('[script]', 'script file ("-" = standard input)')
    .option('--json', `print ${settingsType} as JSON`)
    .action(run('show'));
  top
    .command('set')
    .description(
      `Write ${what} from ${settingsType} JSON; prints the script (a new one when SCRIPT is left out)`,
    )
    .argument('[script]', 'script file ("-" = standard input)')
    .requiredOption('--settings <file>', `${settingsType} as JSON ("-" = standard input)`)
    .option('--force', 'replace the rule even though it holds parts the settings cannot express')
    .action(run('set'));
  top
    .command('enable')
    .description(`Turn ${what} on`)
    .argument('[script]', 'script file ("-" = standard input)')
    .option('--force', 'rewrite the rule even though it holds parts the settings cannot express')
    .action(run('enable'));
  top
    .command('disable')
    .description(`Turn ${what} off (it stays in the script, written as Roundcube does: if false # ...)`)
    .argument('[script]', 'script file ("-" = standard input)')
    .option('--force', 'rewrite the rule even though it holds parts the settings cannot express')
    .action(run('disable'));
}
