/**
 * The `vnd.dovecot.testsuite` extension (spec: shared/conformance/TESTSUITE.md), test-only. One
 * Suite drives one .svtest file: it owns the current message, envelope, result, outbox, mail
 * store and error list, and the extension's commands act on it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve, basename } from 'node:path';
import {
  buildMailtoNotification,
  buildVacationReply,
  isRedirectLoop,
  normalizeMailbox,
  parseAddressList,
  parseMessage,
  REDIRECTED_FROM_FIELD,
  redirectEnvelopeSender,
  SieveEngine,
  userAddress,
  type Action,
  type Argument,
  type ConfigInput,
  type Envelope,
  type MessageView,
  type Program,
  type SequenceScript,
} from '../../src/index.js';
import {
  registerVariableNamespace,
  Result,
  runCommands,
  type ActionCommandDef,
  type CompileContext,
  type CompiledKeys,
  type Extension,
  type MatchSpec,
  type ParsedArgs,
  type Runtime,
  type SieveString,
  type TestDef,
} from '../../src/extension.js';
// The suite's own commands reach two internals no host needs: test_message loads a stored
// message's flags into imap4flags' internal variable, and test_imap_metadata_set checks entry names.
import { FLAGS_STATE } from '../../src/extensions/support/imap4flags-state.js';
import { isValidEntryName } from '../../src/extensions/metadata.js';
import { configFromSettings } from './settings.js';

/** Whether an action stores into INBOX (keep, or fileinto "INBOX" in any case). */
function storesInInbox(a: Action): boolean {
  return (a.type === 'keep' || a.type === 'fileinto') && normalizeMailbox(a.mailbox) === 'INBOX';
}

export const DEFAULT_MESSAGE =
  'From: sender@example.com\r\nTo: recipient@example.org\r\nSubject: Frop!\r\n\r\nFriep!\r\n';

interface StoredMessage {
  raw: Buffer;
  flags: string[];
}

interface OutboxEntry {
  from: string;
  to: string;
  raw: Buffer;
}

/** Jumps out of a test block after test_fail. */
class TestFailure {
  constructor(readonly reason: string) {}
}

export interface BlockReport {
  index: number;
  name: string;
  status: 'passed' | 'failed';
  reason?: string;
}

export class Suite {
  readonly dir: string;
  message: Buffer = Buffer.from(DEFAULT_MESSAGE);
  envelope: Envelope = envelopeFromMessage(Buffer.from(DEFAULT_MESSAGE));
  result!: Result;
  executed = 0;
  outbox: OutboxEntry[] = [];
  mailboxes = new Map<string, StoredMessage[]>([['INBOX', []]]);
  errors: string[] = [];
  overrides = new Map<string, string>();
  compiled: Program | null = null;
  compiledIsSubtest = false;
  binaries = new Map<string, { program: Program; subtest: boolean }>();
  blocks: BlockReport[] = [];
  failures = 0;
  currentBlock: string | null = null;
  subDepth = 0;
  subtestFailed = false;
  unsupported: string | null = null;
  engine: SieveEngine;
  mainRt: Runtime | null = null;
  readonly log: string[] = [];
  /** The message as the last sub-script left it when it edited headers, for its implicit keep. */
  editedKeep: MessageView | null = null;
  readonly host = {
    mailboxExists: (name: string) => this.mailboxes.has(normalizeMailbox(name)),
    now: () => new Date(),
    // TESTSUITE.md §3.7: include :personal reads included/, :global included-global/.
    loadScript: (name: string, location: 'personal' | 'global') => {
      try {
        return readFileSync(
          resolve(this.dir, location === 'global' ? 'included-global' : 'included', `${name}.sieve`),
          'utf8',
        );
      } catch {
        return null;
      }
    },
    environment: (item: string) => {
      // Pigeonhole names itself here; this engine reports its own name.
      if (item === 'name') this.unsupported ??= 'environment "name" is Pigeonhole Sieve there';
      if (item === 'location') return 'MS';
      if (item === 'vnd.dovecot.username') return this.envelope.auth ?? 'user';
      return null;
    },
    // TESTSUITE.md §3.7: duplicate tracking is off.
    duplicateSeen: () => false,
    metadata: (mailbox: string | null, entry: string) =>
      this.metadata.get(`${mailbox === null ? '' : normalizeMailbox(mailbox)}\0${entry.toLowerCase()}`) ??
      null,
  };
  /** IMAP METADATA entries set by test_imap_metadata_set, by "mailbox\0entry" ("" for the server). */
  readonly metadata = new Map<string, string>();

  constructor(readonly file: string) {
    this.dir = dirname(resolve(file));
    this.engine = this.makeEngine({});
    this.resetResult(true);
  }

  makeEngine(config: ConfigInput): SieveEngine {
    return new SieveEngine({
      config,
      extensions: [testsuiteExtension(this)],
      allowTestOnly: true,
      host: this.host,
    });
  }

  resetResult(clearOutbox: boolean): void {
    this.result = new Result({
      maxActions: this.engine.config.maxActions,
      maxRedirects: this.engine.config.maxRedirects,
    });
    this.executed = 0;
    if (clearOutbox) this.outbox = [];
    if (this.mainRt) {
      this.mainRt.result = this.result;
      this.mainRt.state.set(FLAGS_STATE, []);
    }
  }

  setMessage(raw: Buffer, envelope?: Envelope): void {
    this.message = raw;
    this.envelope = envelope ?? envelopeFromMessage(raw);
    if (this.mainRt) {
      this.mainRt.message = parseMessage(raw);
      this.mainRt.envelope = this.envelope;
    }
  }

  /** Runs `prepare` for every runtime the suite starts, so harness state is shared. */
  prepare(rt: Runtime): void {
    this.prepareNamespace(rt);
    rt.result = this.result;
  }

  /** The `tst` variable namespace (TESTSUITE.md: `${tst.path}`). */
  prepareNamespace(rt: Runtime): void {
    rt.namespaces.set('tst', (name) => (name === 'path' ? this.dir : ''));
  }

  compileFile(path: string): { program: Program | null; errors: string[]; subtest: boolean } {
    const full = resolve(this.dir, path);
    let source: string;
    try {
      source = readFileSync(full, 'utf8');
    } catch {
      return { program: null, errors: ['script not found'], subtest: false };
    }
    const res = this.engine.compile(source);
    const errors = res.errors.map((e) => e.message);
    if (!res.program) errors.push(res.failedAt === 'parse' ? 'parse failed' : 'validation failed');
    return { program: res.program, errors, subtest: /vnd\.dovecot\.testsuite/.test(source) };
  }

  runSub(program: Program, subtest: boolean): boolean {
    this.subDepth++;
    this.subtestFailed = false;
    let subRt: Runtime | null = null;
    try {
      const res = this.engine.run(program, this.message, this.envelope, {
        host: this.host,
        prepare: (rt) => {
          this.prepare(rt);
          subRt = rt;
        },
      });
      const ran = subRt as Runtime | null;
      this.editedKeep = ran?.edited && ran.edited === ran.message ? ran.edited : null;
      for (const e of res.errors) this.errors.push(e.message);
      if (subtest) return !this.subtestFailed;
      return res.status === 'ok';
    } finally {
      this.subDepth--;
    }
  }

  /** Executes the actions added since the last execution into the store and outbox. */
  executeResult(): boolean {
    const all = this.result.actions;
    const pending = all.slice(this.executed);
    this.executed = all.length;
    this.result.markExecuted();
    const keepFinal = this.result.implicitKeep && !all.some(storesInInbox);
    const todo: Action[] = [...pending];
    if (keepFinal) {
      // The implicit keep stores the message as the script left it (editheader).
      const main = this.mainRt;
      const edited = main?.edited && main.edited === main.message ? main.edited : this.editedKeep;
      todo.push({ type: 'keep', mailbox: 'INBOX', implicit: true, ...(edited ? { message: edited } : {}) });
    }
    return this.executeActions(todo);
  }

  /** Carries actions out into the store and outbox, as a delivery agent would. */
  executeActions(todo: Action[]): boolean {
    let ok = true;
    let inboxStored = false;
    for (const a of todo) {
      try {
        this.executeAction(a);
        if ((a.type === 'keep' || a.type === 'fileinto') && normalizeMailbox(a.mailbox) === 'INBOX')
          inboxStored = true;
      } catch (e) {
        this.errors.push(e instanceof Error ? e.message : String(e));
        ok = false;
      }
    }
    // Like a delivery agent, a failed execution falls back to keeping the original message.
    if (!ok && !inboxStored)
      this.mailboxes.get('INBOX')?.push({ raw: this.message, flags: ['$HasNoAttachment'] });
    return ok;
  }

  private executeAction(a: Action): void {
    switch (a.type) {
      case 'keep':
      case 'fileinto': {
        const name = normalizeMailbox(a.mailbox);
        if (/\/\/|^\/|\/$/.test(name))
          throw new Error(`failed to store into mailbox '${name}': invalid mailbox name`);
        let box = this.mailboxes.get(name);
        if (!box) {
          if (a.type === 'fileinto' && a.create) {
            box = [];
            this.mailboxes.set(name, box);
          } else throw new Error(`failed to store into mailbox '${name}': Mailbox doesn't exist: ${name}`);
        }
        // Dovecot tags every stored message without attachments; the suite's flag tests expect it.
        box.push({ raw: a.message?.raw() ?? this.message, flags: [...(a.flags ?? []), '$HasNoAttachment'] });
        return;
      }
      case 'redirect': {
        // As a delivery agent does: no redirect of a copy already redirected for this user, a
        // loop-detection field naming the user, and the configured envelope sender.
        const config = this.engine.config;
        const body = a.message?.raw() ?? this.message;
        if (isRedirectLoop(config, this.envelope, parseMessage(body))) return;
        const raw = Buffer.concat([
          Buffer.from(`${REDIRECTED_FROM_FIELD}: ${userAddress(config, this.envelope)}\r\n`),
          body,
        ]);
        this.outbox.push({ from: redirectEnvelopeSender(config, this.envelope), to: a.address, raw });
        return;
      }
      case 'vacation': {
        if (!a.to) return;
        const vacation = this.engine.config.vacation;
        const reply = buildVacationReply(a, parseMessage(this.message), {
          toFromHeader: vacation.toHeaderIgnoreEnvelope,
        });
        // Replies go out with a null sender unless the site wants the recipient as sender.
        const from = vacation.sendFromRecipient ? this.envelope.to : '';
        this.outbox.push({ from, to: a.to, raw: Buffer.from(reply) });
        return;
      }
      case 'reject':
      case 'ereject': {
        if (!this.envelope.from) return;
        const body =
          `From: Mail Delivery System <postmaster@example.com>\r\nTo: <${this.envelope.from}>\r\n` +
          `Subject: Rejected: ${parseMessage(this.message).header('subject')[0] ?? ''}\r\n` +
          `Auto-Submitted: auto-replied (rejected)\r\n\r\n${a.reason}\r\n`;
        this.outbox.push({ from: '', to: this.envelope.from, raw: Buffer.from(body) });
        return;
      }
      case 'notify': {
        const note = buildMailtoNotification(a, {
          envelope: this.envelope,
          config: this.engine.config,
        });
        if (!note) return;
        for (const to of note.recipients)
          this.outbox.push({ from: note.envelopeFrom, to, raw: Buffer.from(note.raw) });
        return;
      }
      default:
        return;
    }
  }

  failBlock(reason: string): never {
    throw new TestFailure(reason);
  }

  reloadConfig(): void {
    const { config, unsupported } = configFromSettings(this.overrides);
    if (unsupported) this.unsupported ??= `setting ${unsupported}`;
    this.engine = this.makeEngine(config);
    // The main script's runtime keeps its config object: update it in place.
    if (this.mainRt) Object.assign(this.mainRt.config, this.engine.config);
  }
}

/** The envelope a message implies (TESTSUITE.md §3.3). */
export function envelopeFromMessage(raw: Buffer): Envelope {
  const view = parseMessage(raw);
  const first = (names: string[], fallback: string) => {
    for (const n of names) {
      const a = view.addresses(n)[0];
      if (a && a.address) return a.address;
    }
    return fallback;
  };
  const to = first(['envelope-to', 'to'], 'recipient@example.com');
  return {
    from: first(['return-path', 'sender', 'from'], 'sender@example.com'),
    to,
    origTo: to,
    auth: 'user',
  };
}

const DOMAIN = '[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*';
const ROUTE = new RegExp(`^@${DOMAIN}(?:,@${DOMAIN})*:`);

/** Parses an SMTP path (RFC 5321 §4.1.2) for test_set "envelope.*"; null when invalid. */
function smtpPath(value: string, allowBareLocal: boolean): string | null {
  let v = value.trim();
  if (v === '' || v === '<>') return '';
  if (v.startsWith('<') && v.endsWith('>')) v = v.slice(1, -1);
  const route = ROUTE.exec(v);
  if (route) v = v.slice(route[0].length);
  else if (v.startsWith('@')) return null;
  if (allowBareLocal && /^[^@\s<>:,]+$/.test(v)) return v;
  const list = parseAddressList(`<${v}>`);
  const a = list.length === 1 ? list[0]! : null;
  return a && a.domain && new RegExp(`^${DOMAIN}$`).test(a.domain) ? a.address : null;
}

function constantString(arg: Argument | undefined): string | null {
  return arg && arg.type === 'string' ? arg.value : null;
}

export function testsuiteExtension(suite: Suite): Extension {
  const testBlock: ActionCommandDef<{ name: SieveString }> = {
    name: 'test',
    positional: ['string'],
    block: true,
    compile(args, cx) {
      // Pigeonhole's own files put blocks inside `if false { ... }` to switch them off; only nesting
      // one test block in another is refused.
      if (cx.ancestors.includes('test'))
        cx.error(cx.node.pos, 'test command cannot be nested in another test');
      return { name: cx.string(args.positional[0]!) };
    },
    run(d, rt, block) {
      const name = rt.expand(d.name);
      const index = suite.blocks.length + 1;
      suite.currentBlock = name;
      try {
        // A stop inside a block ends the whole run before the block is recorded.
        const unwind = runCommands(block ?? [], rt);
        if (unwind) return unwind;
        suite.blocks.push({ index, name, status: 'passed' });
        suite.log.push(`${index}: Test '${name}' SUCCEEDED`);
      } catch (e) {
        if (!(e instanceof TestFailure)) throw e;
        suite.failures++;
        suite.blocks.push({ index, name, status: 'failed', reason: e.reason });
        suite.log.push(`${index}: Test '${name}' FAILED: ${e.reason}`);
      } finally {
        suite.currentBlock = null;
      }
    },
  };

  const testFail: ActionCommandDef<SieveString> = {
    name: 'test_fail',
    positional: ['string'],
    compile: (args, cx) => cx.string(args.positional[0]!),
    run(reason, rt) {
      const text = rt.expand(reason);
      if (suite.subDepth > 0) {
        suite.subtestFailed = true;
        suite.log.push(`subtest FAILED: ${text}`);
        rt.error(undefined, `test failed: ${text}`);
      }
      if (suite.currentBlock === null) {
        suite.failures++;
        rt.error(undefined, `test_fail outside a test block: ${text}`);
      }
      suite.failBlock(text);
    },
  };

  const testSet: ActionCommandDef<{ object: string; value: SieveString }> = {
    name: 'test_set',
    positional: ['string', 'string'],
    compile(args, cx) {
      const object = (constantString(args.positional[0]) ?? '').toLowerCase();
      if (
        !['message', 'envelope.from', 'envelope.to', 'envelope.orig_to', 'envelope.auth'].includes(object)
      ) {
        cx.error(args.positional[0]!.pos, `unknown test_set object "${object}"`);
      }
      return { object, value: cx.string(args.positional[1]!) };
    },
    run(d, rt) {
      const value = rt.expand(d.value);
      switch (d.object) {
        case 'message':
          // Messages travel with CRLF line endings whatever the script file uses.
          suite.setMessage(Buffer.from(value.replace(/\r?\n/g, '\r\n'), 'utf8'));
          return;
        case 'envelope.from': {
          const p = smtpPath(value, false);
          if (p === null) suite.errors.push(`envelope address '${value}' is invalid`);
          suite.envelope = { ...suite.envelope, from: p ?? '' };
          break;
        }
        case 'envelope.to': {
          const p = smtpPath(value, true);
          if (p === null) suite.errors.push(`envelope address '${value}' is invalid`);
          suite.envelope = { ...suite.envelope, to: p ?? '', origTo: p ?? '' };
          break;
        }
        case 'envelope.orig_to': {
          const p = smtpPath(value, true);
          suite.envelope = { ...suite.envelope, origTo: p ?? '' };
          break;
        }
        case 'envelope.auth':
          suite.envelope = { ...suite.envelope, auth: value };
          break;
      }
      rt.envelope = suite.envelope;
    },
  };

  const scriptCompile: TestDef<SieveString> = {
    name: 'test_script_compile',
    positional: ['string'],
    compile: (args, cx) => cx.string(args.positional[0]!),
    test(path, rt) {
      suite.errors = [];
      const res = suite.compileFile(rt.expand(path));
      suite.errors.push(...res.errors);
      if (res.program) {
        suite.compiled = res.program;
        suite.compiledIsSubtest = res.subtest;
      }
      return res.program !== null;
    },
  };

  const scriptRun: TestDef<{ append: boolean }> = {
    name: 'test_script_run',
    tags: [{ name: 'append_result' }],
    compile: (args) => ({ append: args.tags.has('append_result') }),
    test(d) {
      if (!d.append) suite.resetResult(false);
      suite.errors = [];
      if (!suite.compiled) {
        suite.errors.push('no script compiled');
        return false;
      }
      return suite.runSub(suite.compiled, suite.compiledIsSubtest);
    },
  };

  const multiscript: TestDef<SieveString[]> = {
    name: 'test_multiscript',
    positional: ['stringlist'],
    compile: (args, cx) => cx.stringList(args.positional[0]!),
    test(paths, rt) {
      suite.errors = [];
      const scripts: SequenceScript[] = [];
      for (const p of rt.expandList(paths)) {
        const res = suite.compileFile(p);
        suite.errors.push(...res.errors.filter((e) => e !== 'validation failed'));
        if (!res.program) return false;
        scripts.push({ name: p, program: res.program });
      }
      // The engine's own sequence: one result, each script while the keep is in force.
      const run = suite.engine.runSequence(scripts, suite.message, suite.envelope, {
        prepare: (r) => suite.prepareNamespace(r),
      });
      for (const e of run.errors) suite.errors.push(e.message);
      const executed = suite.executeActions(run.actions);
      return executed && run.status === 'ok';
    },
  };

  const resultExecute: TestDef<null> = {
    name: 'test_result_execute',
    compile: () => null,
    test() {
      suite.errors = [];
      return suite.executeResult();
    },
  };

  const resultReset: ActionCommandDef<null> = {
    name: 'test_result_reset',
    compile: () => null,
    run: () => suite.resetResult(true),
  };

  const resultPrint: ActionCommandDef<null> = {
    name: 'test_result_print',
    compile: () => null,
    run: () => {},
  };
  const messagePrint: ActionCommandDef<null> = {
    name: 'test_message_print',
    compile: () => null,
    run: () => {},
  };

  type ListTestData = { spec: MatchSpec; keys: CompiledKeys; index: number | null };
  const listTest = (name: string, values: () => string[]): TestDef<ListTestData> => ({
    name,
    matching: true,
    defaultComparator: 'i;octet',
    tags: [{ name: 'index', param: 'number' }],
    positional: ['stringlist'],
    compile(args, cx) {
      const idx = args.tags.get('index')?.value;
      return {
        spec: args.match!,
        keys: cx.keys(args.positional[0]!, args.match!),
        index: idx && idx.type === 'number' ? idx.value : null,
      };
    },
    test(d, rt) {
      let list = values();
      if (d.index !== null) list = d.index >= 1 && d.index <= list.length ? [list[d.index - 1]!] : [];
      return rt.match(list, d.keys, d.spec);
    },
  });
  const testError = listTest('test_error', () => suite.errors);
  const resultAction = listTest('test_result_action', () =>
    suite.result.actions.map((a) => {
      switch (a.type) {
        case 'fileinto':
          return 'store';
        case 'ereject':
          return 'reject';
        case 'other':
          return a.name;
        default:
          return a.type;
      }
    }),
  );

  type MessageData = { smtp: boolean; folder: SieveString | null; index: number };
  const selectMessage = (d: MessageData, rt: Runtime): { ok: boolean; reason: string } => {
    if (d.smtp) {
      const entry = suite.outbox[d.index];
      if (!entry) return { ok: false, reason: `no outgoing SMTP message with index ${d.index}` };
      suite.setMessage(entry.raw, { from: entry.from, to: entry.to, origTo: entry.to, auth: 'user' });
      rt.message = parseMessage(entry.raw);
      rt.envelope = suite.envelope;
      return { ok: true, reason: '' };
    }
    const folder = rt.expand(d.folder ?? '');
    const name = normalizeMailbox(folder);
    if (folder.includes('\uFFFD')) suite.failBlock(`invalid mailbox name '${folder}'`);
    const box = suite.mailboxes.get(name);
    if (!box) {
      suite.setMessage(Buffer.from(DEFAULT_MESSAGE));
      return { ok: false, reason: `no message in folder '${folder}' with index ${d.index}` };
    }
    const m = box[d.index];
    if (!m) return { ok: false, reason: `no message in folder '${folder}' with index ${d.index}` };
    suite.setMessage(m.raw);
    rt.message = parseMessage(m.raw);
    rt.envelope = suite.envelope;
    rt.state.set(FLAGS_STATE, [...m.flags]);
    return { ok: true, reason: '' };
  };
  const messageArgs = {
    tags: [
      { name: 'smtp', group: 'source' },
      { name: 'folder', param: 'string' as const, group: 'source' },
    ],
    positional: ['number' as const],
    compile(args: ParsedArgs, cx: CompileContext): MessageData {
      const smtp = args.tags.has('smtp');
      const folderArg = args.tags.get('folder')?.value;
      if (!smtp && !folderArg) cx.error(cx.node.pos, 'test_message needs :smtp or :folder');
      const n = args.positional[0];
      return {
        smtp,
        folder: folderArg ? cx.string(folderArg) : null,
        index: n && n.type === 'number' ? n.value : 0,
      };
    },
  };
  const messageCommand: ActionCommandDef<MessageData> = {
    name: 'test_message',
    ...messageArgs,
    run(d, rt) {
      const r = selectMessage(d, rt);
      if (!r.ok) suite.failBlock(r.reason);
    },
  };
  const messageTest: TestDef<MessageData> = {
    name: 'test_message',
    ...messageArgs,
    test: (d, rt) => selectMessage(d, rt).ok,
  };

  const mailboxCreate: ActionCommandDef<SieveString> = {
    name: 'test_mailbox_create',
    positional: ['string'],
    compile: (args, cx) => cx.string(args.positional[0]!),
    run(name, rt) {
      const n = normalizeMailbox(rt.expand(name));
      if (!suite.mailboxes.has(n)) suite.mailboxes.set(n, []);
    },
  };
  const mailboxDelete: ActionCommandDef<SieveString> = {
    name: 'test_mailbox_delete',
    positional: ['string'],
    compile: (args, cx) => cx.string(args.positional[0]!),
    run: () => suite.failBlock('test_mailbox_delete is not supported'),
  };

  const configSet: ActionCommandDef<{ key: SieveString; value: SieveString }> = {
    name: 'test_config_set',
    positional: ['string', 'string'],
    compile: (args, cx) => ({ key: cx.string(args.positional[0]!), value: cx.string(args.positional[1]!) }),
    run: (d, rt) => void suite.overrides.set(rt.expand(d.key), rt.expand(d.value)),
  };
  const configUnset: ActionCommandDef<SieveString> = {
    name: 'test_config_unset',
    positional: ['string'],
    compile: (args, cx) => cx.string(args.positional[0]!),
    run: (k, rt) => void suite.overrides.delete(rt.expand(k)),
  };
  const configReload: ActionCommandDef<{ extension: SieveString | null }> = {
    name: 'test_config_reload',
    tags: [{ name: 'extension', param: 'string' }],
    compile(args, cx) {
      const v = args.tags.get('extension')?.value;
      return { extension: v ? cx.string(v) : null };
    },
    run(d, rt) {
      if (d.extension !== null) {
        const ext = rt.expand(d.extension);
        if (!suite.engine.registry.extensions.has(ext))
          return rt.error(undefined, `unknown extension '${ext}'`);
      }
      suite.reloadConfig();
    },
  };

  const binarySave: ActionCommandDef<SieveString> = {
    name: 'test_binary_save',
    positional: ['string'],
    compile: (args, cx) => cx.string(args.positional[0]!),
    run(name, rt) {
      if (!suite.compiled) return rt.error(undefined, 'no compiled script to save');
      suite.binaries.set(rt.expand(name), { program: suite.compiled, subtest: suite.compiledIsSubtest });
    },
  };
  const binaryLoad: ActionCommandDef<SieveString> = {
    name: 'test_binary_load',
    positional: ['string'],
    compile: (args, cx) => cx.string(args.positional[0]!),
    run(name, rt) {
      const b = suite.binaries.get(rt.expand(name));
      if (!b) return rt.error(undefined, `no saved binary '${rt.expand(name)}'`);
      suite.compiled = b.program;
      suite.compiledIsSubtest = b.subtest;
    },
  };
  type MetadataSetData = { mailbox: SieveString | null; entry: SieveString; value: SieveString };
  const metadataSet: ActionCommandDef<MetadataSetData> = {
    name: 'test_imap_metadata_set',
    tags: [{ name: 'mailbox', param: 'string' }],
    positional: ['string', 'string'],
    compile: (args, cx) => {
      const box = args.tags.get('mailbox')?.value;
      return {
        mailbox: box ? cx.string(box) : null,
        entry: cx.string(args.positional[0]!),
        value: cx.string(args.positional[1]!),
      };
    },
    run(d, rt) {
      const entry = rt.expand(d.entry);
      if (!isValidEntryName(entry)) return rt.error(undefined, `invalid metadata entry name "${entry}"`);
      const box = d.mailbox === null ? '' : normalizeMailbox(rt.expand(d.mailbox));
      suite.metadata.set(`${box}\0${entry.toLowerCase()}`, rt.expand(d.value));
    },
  };

  return {
    name: 'vnd.dovecot.testsuite',
    testOnly: true,
    commands: [
      testBlock,
      testFail,
      testSet,
      resultReset,
      resultPrint,
      messagePrint,
      messageCommand,
      mailboxCreate,
      mailboxDelete,
      configSet,
      configUnset,
      configReload,
      binarySave,
      binaryLoad,
      metadataSet,
    ] as ActionCommandDef[],
    tests: [
      scriptCompile,
      scriptRun,
      multiscript,
      resultExecute,
      testError,
      resultAction,
      messageTest,
    ] as TestDef[],
    onRequire: (cx) => registerVariableNamespace(cx, 'tst'),
  };
}

/** Runs one .svtest file and reports per block and overall. */
export function runSuiteFile(
  file: string,
  sourceText?: string,
): {
  blocks: BlockReport[];
  failures: number;
  caseFailure: string | null;
  unsupported: string | null;
  log: string[];
} {
  const suite = new Suite(file);
  const source = sourceText ?? readFileSync(file, 'utf8');
  const compiled = suite.engine.compile(source);
  if (!compiled.program) {
    const msg = compiled.errors
      .slice(0, 3)
      .map((e) => `${basename(file)}:${e.line}:${e.column}: ${e.message}`)
      .join('; ');
    return { blocks: [], failures: 1, caseFailure: `compile failed: ${msg}`, unsupported: null, log: [] };
  }
  // The file itself runs as a script whose commands drive the suite.
  const run = suite.engine.run(compiled.program, suite.message, suite.envelope, {
    prepare: (rt) => {
      suite.mainRt = rt;
      suite.prepare(rt);
    },
  });
  const caseFailure =
    run.status === 'ok' ? null : `execution aborted: ${run.errors[0]?.message ?? run.status}`;
  return {
    blocks: suite.blocks,
    failures: suite.failures,
    caseFailure,
    unsupported: suite.unsupported,
    log: suite.log,
  };
}
