import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type {
  ConfigInput,
  RunResult,
  SieveEngine,
  Envelope,
  MessageView,
  RunOptions,
  SequenceScript,
  TraceEvent,
} from '../index.js';
import { actionJson, describeAction, diagnosticJson, formatDiagnosticWithSource } from './format.js';
import { formatTraceLines, traceJson } from './trace-format.js';
import { ConfigError, loadConfig } from '../app/config-file.js';

// The engine (parser, extensions, message decoding) is imported inside the action so that
// `tamis --help` and other subcommands do not pay for loading it.

/** Fallbacks when neither the command line nor the message names an envelope address. */
export const DEFAULT_SENDER = 'sender@example.com';
export const DEFAULT_RECIPIENT = 'recipient@example.com';

/** Exit status of a command whose configuration cannot be used (EX_USAGE). */
export const EXIT_CONFIG = 64;

/** The exit status for a command that failed with `e`. */
export function exitCodeFor(e: unknown): number {
  return e instanceof ConfigError ? EXIT_CONFIG : 1;
}

/**
 * Reads the `engine` section of a `--config` file (an old file of engine settings alone is
 * accepted too, with a warning through `warn`); throws a ConfigError listing every problem.
 */
export function loadConfigFile(file: string, warn?: (message: string) => void): ConfigInput {
  return loadConfig(file, { flat: 'engine', warn }).engine ?? {};
}

function firstAddress(view: MessageView, names: string[]): string | null {
  for (const name of names) {
    const raw = view.rawHeader(name);
    if (!raw.length) continue;
    // Return-Path: <> is the null sender.
    if (name === 'return-path' && /^\s*<\s*>\s*$/.test(raw[0]!)) return '';
    const list = view.addresses(name);
    if (list.length) return list[0]!.address;
  }
  return null;
}

/** `<>` and the empty string both mean the null sender. */
function normalizeSender(s: string): string {
  return s.trim() === '<>' ? '' : s.replace(/^<(.*)>$/, '$1');
}

/**
 * The envelope a dry run uses: the given addresses, else what the message says — sender from
 * Return-Path then From, recipient from Delivered-To, Envelope-To, then To — else fixed
 * example addresses. Header look-ups happen only if the script asks for the envelope.
 */
export function envelopeFor(view: MessageView, from?: string, to?: string): Envelope {
  return new MessageEnvelope(view, from === undefined ? undefined : normalizeSender(from), to);
}

const SENDER_FIELDS = ['return-path', 'from'];
const RECIPIENT_FIELDS = ['delivered-to', 'envelope-to', 'to'];

/** A class rather than an object with getters: one shape for every message of a folder. */
class MessageEnvelope implements Envelope {
  constructor(
    private readonly view: MessageView,
    private sender: string | undefined,
    private recipient: string | undefined,
  ) {}

  get from(): string {
    this.sender ??= firstAddress(this.view, SENDER_FIELDS) ?? DEFAULT_SENDER;
    return this.sender;
  }

  get to(): string {
    this.recipient ??= firstAddress(this.view, RECIPIENT_FIELDS) ?? DEFAULT_RECIPIENT;
    return this.recipient;
  }
}

/** One JSON line for one message's run; `scripts` names the script of each trace event (a sequence). */
export function messageJson(message: string, r: RunResult, trace?: TraceEvent[], scripts?: string[]): string {
  const actions: unknown[] = [];
  // An action without a position serializes as actionJson would give it: no copy needed.
  for (const a of r.actions) actions.push(a.type !== 'other' && a.pos === undefined ? a : actionJson(a));
  const out: Record<string, unknown> = { message, status: r.status, actions };
  if (r.errors.length) out.errors = r.errors.map(diagnosticJson);
  if (trace)
    out.trace = trace.map((e, i) => (scripts ? { ...traceJson(e), script: scripts[i] } : traceJson(e)));
  return JSON.stringify(out);
}

/** One JSON line for a message that could not be read. */
export function unreadableJson(message: string, err: unknown): string {
  const reason = (err as NodeJS.ErrnoException).code ?? String(err);
  return JSON.stringify({
    message,
    status: 'error',
    actions: [],
    errors: [{ line: 0, column: 0, message: `cannot read message: ${reason}` }],
  });
}

export interface TestOptions {
  json?: boolean;
  trace?: boolean;
  from?: string;
  to?: string;
  config?: string;
  /** Scripts run before the script, in order (global before-scripts). */
  before?: string[];
  /** Scripts run after it, in order (global after-scripts). */
  after?: string[];
}

/** Commander's collector for an option given several times. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The scripts a run goes through: --before files, the script, --after files, with their sources. */
export interface ScriptChain {
  scripts: SequenceScript[];
  sources: string[];
}

/** Compiles the chain of scripts, printing diagnostics; null (after printing) when one does not compile. */
export async function compileChain(
  engine: SieveEngine,
  scriptFile: string,
  opts: { before?: string[]; after?: string[] },
  json: boolean,
): Promise<ScriptChain | null> {
  const chain: ScriptChain = { scripts: [], sources: [] };
  for (const file of [...(opts.before ?? []), scriptFile, ...(opts.after ?? [])]) {
    const compiled = await compileScriptFile(engine, file, json);
    if (!compiled) return null;
    chain.scripts.push({ name: file, program: compiled.program });
    chain.sources.push(compiled.source);
  }
  return chain;
}

/**
 * Runs the chain over one message: one script alone as engine.run does, several as the engine's
 * sequence. `onScript` learns which script each later trace event comes from.
 */
export function runChain(
  engine: SieveEngine,
  chain: ScriptChain,
  view: MessageView,
  envelope: Envelope,
  options: RunOptions & { onScript?: (index: number) => void } = {},
): RunResult {
  const { onScript, ...run } = options;
  if (chain.scripts.length === 1) return engine.run(chain.scripts[0]!.program, view, envelope, run);
  let index = 0;
  const prepare = onScript && (() => onScript(index++));
  return engine.runSequence(chain.scripts, view, envelope, prepare ? { ...run, prepare } : run);
}

/** Writes a warning of `tamis COMMAND` to standard error. */
export const warnOn =
  (command: string) =>
  (message: string): void => {
    process.stderr.write(`tamis ${command}: warning: ${message}\n`);
  };

/** Creates an engine for a CLI run (the import is deferred to here); `warn` hears of deprecated forms. */
export async function createEngine(
  configFile?: string,
  warn?: (message: string) => void,
): Promise<SieveEngine> {
  const config = configFile ? loadConfigFile(configFile, warn) : undefined;
  const { SieveEngine } = await import('../index.js');
  return new SieveEngine({ config });
}

/** Reads and compiles a script; prints diagnostics. Returns null (after printing) when it does not compile. */
export async function compileScriptFile(
  engine: SieveEngine,
  scriptFile: string,
  json: boolean,
): Promise<{ program: NonNullable<ReturnType<SieveEngine['compile']>['program']>; source: string } | null> {
  let source: string;
  try {
    source = readFileSync(scriptFile, 'utf8');
  } catch (e) {
    const message = `cannot read script: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    if (json)
      process.stdout.write(
        JSON.stringify({ status: 'error', errors: [{ line: 0, column: 0, message }] }) + '\n',
      );
    else process.stderr.write(`${scriptFile}: ${message}\n`);
    return null;
  }
  const { program, errors, warnings } = engine.compile(source);
  if (!program) {
    if (json) {
      process.stdout.write(JSON.stringify({ status: 'error', errors: errors.map(diagnosticJson) }) + '\n');
    } else {
      for (const d of [...errors, ...warnings])
        process.stderr.write(formatDiagnosticWithSource(d, scriptFile, source) + '\n');
    }
    return null;
  }
  if (!json)
    for (const d of warnings) process.stderr.write(formatDiagnosticWithSource(d, scriptFile, source) + '\n');
  return { program, source };
}

/** `tamis test`: runs a script over messages without side effects; returns the exit code. */
export async function runTest(scriptFile: string, messages: string[], opts: TestOptions): Promise<number> {
  const engine = await createEngine(opts.config, warnOn('test'));
  const chain = await compileChain(engine, scriptFile, opts, !!opts.json);
  if (!chain) return 1;
  const { parseMessage } = await import('../index.js');
  // Errors of a sequence name their script; a lone script's errors are its own.
  const own = opts.before?.length ?? 0;
  const sourceOf = (name: string | undefined) => {
    const i = name === undefined ? own : chain.scripts.findIndex((s) => s.name === name);
    const k = i < 0 ? own : i;
    return { file: chain.scripts[k]!.name, source: chain.sources[k]! };
  };
  let failed = false;
  for (const file of messages) {
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch (e) {
      failed = true;
      if (opts.json) process.stdout.write(unreadableJson(file, e) + '\n');
      else
        process.stderr.write(
          `${file}: cannot read message: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`,
        );
      continue;
    }
    const view = parseMessage(raw);
    const envelope = envelopeFor(view, opts.from, opts.to);
    const events: TraceEvent[] | undefined = opts.trace ? [] : undefined;
    // Which script each trace event comes from (a sequence runs its scripts in order).
    const eventScripts: number[] = [];
    let current = 0;
    const result = runChain(engine, chain, view, envelope, {
      trace: events
        ? (e) => {
            events.push(e);
            eventScripts.push(current);
          }
        : undefined,
      onScript: (i) => (current = i),
    });
    if (result.status === 'error') failed = true;
    if (opts.json) {
      const names = chain.scripts.length > 1 ? eventScripts.map((s) => chain.scripts[s]!.name) : undefined;
      process.stdout.write(messageJson(file, result, events, names) + '\n');
      continue;
    }
    const lines: string[] = [`${file}:`];
    if (events) {
      lines.push(' trace:');
      // Consecutive events of one script are rendered together, under its name in a sequence.
      for (let i = 0; i < events.length;) {
        const s = eventScripts[i]!;
        let j = i;
        while (j < events.length && eventScripts[j] === s) j++;
        if (chain.scripts.length > 1) lines.push(`  ${chain.scripts[s]!.name}:`);
        for (const line of formatTraceLines(events.slice(i, j), chain.sources[s]!)) lines.push(`  ${line}`);
        i = j;
      }
    }
    for (const err of result.errors) {
      const { file: errFile, source } = sourceOf(err.script);
      lines.push(
        ` run-time error: ${formatDiagnosticWithSource(err, errFile, source).replace(/\n/g, '\n ')}`,
      );
    }
    const explicit = result.actions.filter((a) => !(a.type === 'keep' && a.implicit));
    const implicit = result.actions.find((a) => a.type === 'keep' && a.implicit);
    lines.push(' actions:');
    if (!explicit.length) lines.push('  (none)');
    for (const a of explicit) lines.push(`  ${describeAction(a)}`);
    lines.push(implicit ? ` ${describeAction(implicit)}` : ' implicit keep: cancelled');
    process.stdout.write(lines.join('\n') + '\n');
  }
  return failed ? 1 : 0;
}

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run a script over messages without side effects and show what it would do')
    .argument('<script>', 'Sieve script')
    .argument('<message...>', 'RFC 5322 message files')
    .option('--json', 'one JSON line per message')
    .option('--trace', 'show each test with the values it compared, variables set and actions taken')
    .option('--from <address>', 'envelope sender ("<>" for the null sender)')
    .option('--to <address>', 'envelope recipient')
    .option('--config <file>', 'configuration file (JSON; its engine section is used)')
    .option('--before <file>', 'a script run before <script> (repeatable, in order)', collect)
    .option('--after <file>', 'a script run after <script> (repeatable, in order)', collect)
    .action(async (script: string, messages: string[], opts: TestOptions) => {
      try {
        process.exitCode = await runTest(script, messages, opts);
      } catch (e) {
        process.stderr.write(`tamis test: ${(e as Error).message}\n`);
        process.exitCode = exitCodeFor(e);
      }
    });
}
