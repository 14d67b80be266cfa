import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCommand, type LiteralPolicy } from '../protocol/command.js';
import { decodeUtf8, parseScriptName, printableName } from '../../scripts/names.js';
import { ConnectionClosed, IdleTimeout, InputReader, LineTooLong } from '../protocol/reader.js';
import { encodeLiteral, encodeString } from '../protocol/strings.js';
import {
  encodeCapability,
  encodeResponse,
  parseNumber,
  type Response,
  type ResponseCodeName,
  type Token,
} from '../protocol/wire.js';
import type { OAuthTokenVerifier, SaslServerMechanism, UserDirectory } from '../sasl/types.js';
import { ScriptStoreError, type ScriptStore } from '../../scripts/types.js';
import type {
  ManageSieveEngine,
  ManageSieveLimits,
  ManageSieveLogger,
  ManageSieveServerOptions,
} from './options.js';
import type { AuthThrottle } from './throttle.js';

/** What all sessions of one server share. */
export interface ServerContext {
  store: ScriptStore;
  directory: UserDirectory;
  mechanisms: (directory: UserDirectory, oauth: OAuthTokenVerifier | undefined) => SaslServerMechanism[];
  /** Name and plaintext flag of every mechanism, in advertising order. */
  mechanismInfo: { name: string; plaintext: boolean }[];
  oauth: OAuthTokenVerifier | undefined;
  allowedMechanisms: Set<string> | null;
  secureContext: SecureContext | null;
  implicitTls: boolean;
  insecureAuth: boolean;
  implementation: string;
  maxRedirects: number;
  referral: ManageSieveServerOptions['referral'];
  limits: ManageSieveLimits;
  throttle: AuthThrottle;
  logger: ManageSieveLogger | undefined;
  engine: ManageSieveEngine;
  /** SIEVE capability string (computed once). */
  sieveCapability(): string;
  notify(): string | null;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(data: Buffer): Buffer | null {
  const s = data.toString('latin1');
  if (s === '=') return Buffer.alloc(0);
  return BASE64.test(s) ? Buffer.from(s, 'base64') : null;
}

function no(text: string | Buffer, code?: ResponseCodeName): Response {
  return { kind: 'NO', code: code ? { name: code } : undefined, text };
}

function ok(text: string | Buffer, code?: ResponseCodeName): Response {
  return { kind: 'OK', code: code ? { name: code } : undefined, text };
}

class EndSession extends Error {}

/** One client connection, from greeting to close. Commands run strictly one after another. */
export class Session {
  private socket: Socket;
  private readonly reader: InputReader;
  private secure: boolean;
  private user: string | null = null;
  private badCommands = 0;
  private authFailures = 0;
  private ended = false;
  readonly address: string;

  constructor(
    raw: Socket,
    private readonly ctx: ServerContext,
    private readonly onDone: (s: Session) => void,
  ) {
    this.socket = raw;
    this.secure = raw instanceof TLSSocket;
    this.address = raw.remoteAddress ?? 'unknown';
    // Errors are handled through the reader; this keeps a late error on the raw socket from crashing the process.
    raw.on('error', () => {});
    this.reader = new InputReader(ctx.limits.preAuthTimeoutMs);
    this.reader.attach(raw);
  }

  /** Ends the session from outside (server shutdown). */
  shutdown(text: string): void {
    if (this.ended) return;
    this.write(encodeResponse({ kind: 'BYE', text }));
    this.reader.fail(new ConnectionClosed('shutdown'));
    this.close();
  }

  async run(): Promise<void> {
    try {
      await this.sendCapabilities();
      this.write(encodeResponse(ok(`${this.ctx.implementation} ready.`)));
      for (;;) {
        const authed = this.user !== null;
        const res = await readCommand(
          this.reader,
          {
            maxLineLength: this.ctx.limits.maxLineLength,
            maxSkipSize: authed ? this.ctx.limits.maxSkipSize : 0,
          },
          this.literalPolicy,
        );
        if (res.type === 'fatal') {
          this.write(encodeResponse(res.reply));
          break;
        }
        if (res.type === 'rejected') {
          this.write(encodeResponse(res.reply));
          continue;
        }
        if (res.type === 'syntax') {
          this.bad(`Error in MANAGESIEVE command: ${res.message}.`);
          continue;
        }
        if (!(await this.dispatch(res.tokens))) break;
      }
    } catch (e) {
      if (e instanceof IdleTimeout)
        this.write(encodeResponse({ kind: 'BYE', text: 'Disconnected for inactivity.' }));
      else if (e instanceof LineTooLong)
        this.write(encodeResponse({ kind: 'BYE', text: 'Command line too long.' }));
      else if (!(e instanceof ConnectionClosed) && !(e instanceof EndSession)) {
        this.ctx.logger?.error(`managesieve: session ${this.address}: ${(e as Error).stack ?? String(e)}`);
        this.write(encodeResponse({ kind: 'BYE', text: 'Internal server error.' }));
      }
    } finally {
      this.close();
    }
  }

  private close(): void {
    if (this.ended) return;
    this.ended = true;
    this.reader.dispose();
    const s = this.socket;
    s.on('error', () => {});
    if (!s.destroyed) s.end();
    // Do not wait forever for a peer that does not read.
    setTimeout(() => s.destroy(), 2000).unref();
    this.onDone(this);
  }

  private write(data: Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return true;
    return this.socket.write(data);
  }

  /** Writes and waits for the socket to drain when its buffer is full (large scripts). */
  private async send(data: Buffer): Promise<void> {
    if (this.write(data)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Counts an invalid command; too many end the connection. */
  private bad(text: string): void {
    this.badCommands++;
    if (this.badCommands > this.ctx.limits.maxBadCommands) {
      this.write(encodeResponse({ kind: 'BYE', text: 'Too many invalid commands.' }));
      throw new EndSession();
    }
    this.write(encodeResponse(no(text)));
  }

  private readonly literalPolicy: LiteralPolicy = async (tokens, literal) => {
    const user = this.user;
    if (user === null) {
      if (literal.size > this.ctx.limits.maxPreAuthLiteralSize) {
        return { action: 'close', reply: { kind: 'BYE', text: 'Literal too large.' } };
      }
      return { action: 'read' };
    }
    const cmd = tokens[0]?.kind === 'atom' ? tokens[0].value.toUpperCase() : '';
    if (cmd === 'PUTSCRIPT' && tokens.length === 2 && tokens[1].kind === 'string') {
      // The quota is checked against the announced size before a single byte of the script is read.
      const parsed = parseScriptName(tokens[1].value);
      if ('name' in parsed) {
        const check = await this.ctx.store.haveSpace(user, parsed.name, literal.size);
        if (!check.ok) return { action: 'skip', reply: no(check.message, check.code) };
      }
    }
    if (literal.size > this.ctx.limits.maxLiteralSize) {
      return {
        action: 'skip',
        reply: no(`Literal too large (max ${this.ctx.limits.maxLiteralSize} bytes).`),
      };
    }
    return { action: 'read' };
  };

  private async sendCapabilities(): Promise<void> {
    const c = this.ctx;
    const lines = [
      encodeCapability('IMPLEMENTATION', c.implementation),
      encodeCapability('SIEVE', c.sieveCapability()),
    ];
    const notify = c.notify();
    if (notify) lines.push(encodeCapability('NOTIFY', notify));
    if (this.user === null) {
      lines.push(encodeCapability('SASL', this.usableMechanisms().join(' ')));
      if (c.secureContext && !this.secure) lines.push(encodeCapability('STARTTLS'));
    } else {
      lines.push(encodeCapability('MAXREDIRECTS', String(c.maxRedirects)));
      lines.push(encodeCapability('OWNER', this.user));
    }
    lines.push(encodeCapability('UNAUTHENTICATE'));
    lines.push(encodeCapability('VERSION', '1.0'));
    this.write(Buffer.concat(lines));
  }

  /** Mechanisms offered on this connection: plaintext ones only over TLS unless insecureAuth. */
  private usableMechanisms(): string[] {
    const c = this.ctx;
    return c.mechanismInfo
      .filter((m) => !c.allowedMechanisms || c.allowedMechanisms.has(m.name))
      .filter((m) => !m.plaintext || this.secure || c.insecureAuth)
      .map((m) => m.name);
  }

  private async dispatch(tokens: Token[]): Promise<boolean> {
    const head = tokens[0];
    if (!head || head.kind !== 'atom') {
      this.bad('Error in MANAGESIEVE command: expected a command name.');
      return true;
    }
    const cmd = head.value.toUpperCase();
    const args = tokens.slice(1);
    const anyState = ['CAPABILITY', 'LOGOUT', 'NOOP'];
    const preAuth = ['AUTHENTICATE', 'STARTTLS'];
    const postAuth = [
      'HAVESPACE',
      'PUTSCRIPT',
      'LISTSCRIPTS',
      'SETACTIVE',
      'GETSCRIPT',
      'DELETESCRIPT',
      'RENAMESCRIPT',
      'CHECKSCRIPT',
      'UNAUTHENTICATE',
    ];
    if (!anyState.includes(cmd) && !preAuth.includes(cmd) && !postAuth.includes(cmd)) {
      this.bad(`Error in MANAGESIEVE command ${printableName(Buffer.from(cmd, 'latin1'))}: Unknown command.`);
      return true;
    }
    if (this.user === null && postAuth.includes(cmd)) {
      this.bad(`Error in MANAGESIEVE command ${cmd}: Authenticate first.`);
      return true;
    }
    if (this.user !== null && preAuth.includes(cmd)) {
      this.bad(`Error in MANAGESIEVE command ${cmd}: Not allowed after authentication.`);
      return true;
    }
    const shape = SHAPES[cmd]!;
    const problem = checkShape(args, shape);
    if (problem) {
      this.bad(`Error in MANAGESIEVE command ${cmd}: ${problem}.`);
      return true;
    }
    const s = (i: number): Buffer => (args[i] as { value: Buffer }).value;
    try {
      switch (cmd) {
        case 'CAPABILITY':
          await this.sendCapabilities();
          this.write(encodeResponse(ok('Capability completed.')));
          return true;
        case 'LOGOUT':
          this.write(encodeResponse(ok('Logout completed.')));
          return false;
        case 'NOOP':
          if (args.length === 1)
            this.write(encodeResponse({ kind: 'OK', code: { name: 'TAG', arg: s(0) }, text: 'Done' }));
          else this.write(encodeResponse(ok('NOOP completed.')));
          return true;
        case 'STARTTLS':
          return await this.startTls();
        case 'AUTHENTICATE':
          return await this.authenticate(s(0), args.length > 1 ? s(1) : null);
        case 'UNAUTHENTICATE':
          this.user = null;
          this.reader.setIdleTimeout(this.ctx.limits.preAuthTimeoutMs);
          this.write(encodeResponse(ok('Unauthenticate completed.')));
          return true;
        case 'HAVESPACE':
          return await this.haveSpace(s(0), args[1]!);
        case 'PUTSCRIPT':
          return await this.putScript(s(0), s(1));
        case 'CHECKSCRIPT':
          return this.checkScript(s(0));
        case 'LISTSCRIPTS':
          return await this.listScripts();
        case 'SETACTIVE':
          return await this.setActive(s(0));
        case 'GETSCRIPT':
          return await this.getScript(s(0));
        case 'DELETESCRIPT':
          return await this.deleteScript(s(0));
        case 'RENAMESCRIPT':
          return await this.renameScript(s(0), s(1));
      }
    } catch (e) {
      if (e instanceof EndSession || e instanceof ConnectionClosed || e instanceof IdleTimeout) throw e;
      if (e instanceof LineTooLong) throw e;
      if (e instanceof ScriptStoreError) {
        this.write(encodeResponse(storeErrorResponse(e)));
        return true;
      }
      this.ctx.logger?.error(
        `managesieve: ${cmd} for ${this.user ?? '-'}: ${(e as Error).stack ?? String(e)}`,
      );
      this.write(encodeResponse(no('Temporary server failure; try again later.', 'TRYLATER')));
      return true;
    }
    return true;
  }

  private async startTls(): Promise<boolean> {
    const c = this.ctx;
    if (!c.secureContext) {
      this.write(encodeResponse(no('TLS is not configured.')));
      return true;
    }
    if (this.secure) {
      this.write(encodeResponse(no('TLS is already active.')));
      return true;
    }
    // Anything the client pipelined after STARTTLS is plaintext and must not be taken as a command.
    this.reader.detach();
    this.write(encodeResponse(ok('Begin TLS negotiation now.')));
    const tlsSocket = new TLSSocket(this.socket, { isServer: true, secureContext: c.secureContext });
    this.socket = tlsSocket;
    this.reader.attach(tlsSocket);
    await awaitHandshake(tlsSocket, c.limits.tlsHandshakeTimeoutMs);
    this.secure = true;
    await this.sendCapabilities();
    this.write(encodeResponse(ok('TLS negotiation successful.')));
    return true;
  }

  private async authenticate(mechData: Buffer, initial: Buffer | null): Promise<boolean> {
    const c = this.ctx;
    const mechName = mechData.toString('latin1').toUpperCase();
    if (c.throttle.isLocked(this.address, null)) {
      return this.authFailed('Too many failed logins; try again later.', 'TRYLATER', null);
    }
    // A directory wrapper per attempt learns which user the mechanism tried, for throttling.
    const attempt = { user: null as string | null, locked: false };
    const base = c.directory;
    const isLocked = (user: string): boolean => {
      attempt.user = user;
      attempt.locked = c.throttle.isLocked(this.address, user);
      return attempt.locked;
    };
    const dir: UserDirectory = {
      supportsScram: base.supportsScram,
      exists: (u) => base.exists(u),
      verifyPassword: async (u, p) => (isLocked(u) ? false : base.verifyPassword(u, p)),
      scramSha256: async (u) => (isLocked(u) ? null : base.scramSha256(u)),
    };
    const oauth: OAuthTokenVerifier | undefined = c.oauth
      ? async (token, claimed) => {
          if (claimed !== null && isLocked(claimed)) return null;
          const who = await c.oauth!(token, claimed);
          if (who !== null && isLocked(who)) return null;
          return who;
        }
      : undefined;
    const mech = c.mechanisms(dir, oauth).find((m) => m.name === mechName);
    if (!mech) {
      this.write(encodeResponse(no('Unsupported authentication mechanism.')));
      return true;
    }
    if (c.allowedMechanisms && !c.allowedMechanisms.has(mech.name)) {
      this.write(
        encodeResponse(no('This authentication mechanism is not allowed by policy.', 'AUTH-TOO-WEAK')),
      );
      return true;
    }
    if (mech.plaintext && !this.secure && !c.insecureAuth) {
      this.write(
        encodeResponse(
          no('Plaintext authentication disallowed on non-secure connections.', 'ENCRYPT-NEEDED'),
        ),
      );
      return true;
    }
    let response: Buffer | null = null;
    if (initial !== null) {
      response = decodeBase64(initial);
      if (response === null) {
        this.write(encodeResponse(no('Invalid base64 data in initial response.')));
        return true;
      }
    }
    const exchange = mech.start({ secure: this.secure, remoteAddress: this.address });
    for (;;) {
      const step = await exchange.step(response);
      if (step.type === 'success') {
        c.throttle.recordSuccess(step.user);
        const referral = typeof c.referral === 'function' ? await c.referral(step.user) : c.referral;
        if (referral) {
          this.write(
            encodeResponse({
              kind: 'BYE',
              code: { name: 'REFERRAL', arg: referral },
              text: 'Try another server.',
            }),
          );
          return false;
        }
        this.user = step.user;
        this.reader.setIdleTimeout(c.limits.idleTimeoutMs);
        c.logger?.info(`managesieve: login ${step.user} from ${this.address} (${mech.name})`);
        const code =
          step.data && step.data.length > 0
            ? { name: 'SASL' as const, arg: step.data.toString('base64') }
            : undefined;
        this.write(encodeResponse({ kind: 'OK', code, text: 'Logged in.' }));
        return true;
      }
      if (step.type === 'failure') {
        if (attempt.locked)
          return this.authFailed('Too many failed logins; try again later.', 'TRYLATER', attempt.user);
        const code = step.reason === 'unavailable' ? 'TRANSITION-NEEDED' : undefined;
        return this.authFailed(step.message || 'Authentication failed.', code, attempt.user);
      }
      this.write(Buffer.concat([encodeString(step.data.toString('base64')), Buffer.from('\r\n')]));
      const res = await readCommand(
        this.reader,
        { maxLineLength: c.limits.maxLineLength, maxSkipSize: 0 },
        async (_t, literal) =>
          literal.size > c.limits.maxPreAuthLiteralSize
            ? { action: 'close', reply: { kind: 'BYE', text: 'Literal too large.' } }
            : { action: 'read' },
      );
      if (res.type === 'fatal') {
        this.write(encodeResponse(res.reply));
        return false;
      }
      const t = res.type === 'command' ? res.tokens : [];
      if (t.length !== 1 || t[0]!.kind !== 'string') {
        this.write(encodeResponse(no('Invalid AUTHENTICATE client response.')));
        return true;
      }
      if (t[0].value.equals(STAR)) {
        this.write(encodeResponse(no('Authentication aborted by client.')));
        return true;
      }
      response = decodeBase64(t[0].value);
      if (response === null) {
        this.write(encodeResponse(no('Invalid base64 data in AUTHENTICATE client response.')));
        return true;
      }
    }
  }

  private async authFailed(
    text: string,
    code: ResponseCodeName | undefined,
    user: string | null,
  ): Promise<boolean> {
    const c = this.ctx;
    // The delay grows with the failures already seen for this address and user.
    const delay = c.throttle.delayMs(this.address, user);
    c.throttle.recordFailure(this.address, user);
    this.authFailures++;
    c.logger?.warn(
      `managesieve: failed login${user ? ` for ${JSON.stringify(user)}` : ''} from ${this.address}`,
    );
    if (delay > 0) await sleep(delay);
    if (this.authFailures >= c.limits.maxAuthFailuresPerConnection) {
      this.write(
        encodeResponse({
          kind: 'BYE',
          code: code ? { name: code } : undefined,
          text: 'Too many authentication failures.',
        }),
      );
      return false;
    }
    this.write(encodeResponse(no(text, code)));
    return true;
  }

  private nameOrReply(data: Buffer): string | null {
    const parsed = parseScriptName(data);
    if ('name' in parsed) return parsed.name;
    this.write(
      encodeResponse(no(`Invalid Sieve script name \`${printableName(data)}' (${parsed.problem}).`)),
    );
    return null;
  }

  private async haveSpace(nameData: Buffer, sizeToken: Token): Promise<boolean> {
    const size = parseNumber(sizeToken);
    if (size === null) {
      this.bad('Error in MANAGESIEVE command HAVESPACE: Invalid size argument.');
      return true;
    }
    const name = this.nameOrReply(nameData);
    if (name === null) return true;
    const check = await this.ctx.store.haveSpace(this.user!, name, size);
    this.write(encodeResponse(check.ok ? ok('Putscript would succeed.') : no(check.message, check.code)));
    return true;
  }

  /** Compiles a script: null when fine, else the NO response; warnings become an OK (WARNINGS) text. */
  private compile(
    script: Buffer,
    prefix: string,
  ): { error: Response } | { warnings: string | Buffer | null } {
    const source = decodeUtf8(script);
    if (source === null) return { error: no(`${prefix}error: script is not valid UTF-8.`) };
    const result = this.ctx.engine.checkScript(source);
    const max = this.ctx.limits.maxCompileErrors;
    const errors = result.errors
      .filter((d) => d.severity === 'error')
      .slice(0, max)
      .map((d) => `${prefix}line ${d.line}: error: ${d.message}`);
    if (!result.ok && errors.length === 0) errors.push(`${prefix}error: validation failed.`);
    if (!result.ok || errors.length > 0) return { error: no(diagnosticText(errors)) };
    const warnings = result.warnings
      .slice(0, max)
      .map((d) => `${prefix}line ${d.line}: warning: ${d.message}`);
    return { warnings: warnings.length ? diagnosticText(warnings) : null };
  }

  private async putScript(nameData: Buffer, script: Buffer): Promise<boolean> {
    const name = this.nameOrReply(nameData);
    if (name === null) return true;
    const compiled = this.compile(script, `${name}: `);
    if ('error' in compiled) {
      this.write(encodeResponse(compiled.error));
      return true;
    }
    await this.ctx.store.put(this.user!, name, script);
    this.write(
      encodeResponse(compiled.warnings ? ok(compiled.warnings, 'WARNINGS') : ok('PUTSCRIPT completed.')),
    );
    return true;
  }

  private checkScript(script: Buffer): boolean {
    const compiled = this.compile(script, '');
    if ('error' in compiled) this.write(encodeResponse(compiled.error));
    else if (compiled.warnings) this.write(encodeResponse(ok(compiled.warnings, 'WARNINGS')));
    else this.write(encodeResponse(ok('Script checked successfully.')));
    return true;
  }

  private async listScripts(): Promise<boolean> {
    const scripts = await this.ctx.store.list(this.user!);
    const lines: Buffer[] = scripts.map((s) =>
      Buffer.concat([encodeString(s.name), Buffer.from(s.active ? ' ACTIVE\r\n' : '\r\n')]),
    );
    lines.push(encodeResponse(ok('Listscripts completed.')));
    await this.send(Buffer.concat(lines));
    return true;
  }

  private async setActive(nameData: Buffer): Promise<boolean> {
    if (nameData.length === 0) {
      const r = await this.ctx.store.setActive(this.user!, null);
      this.write(
        encodeResponse(
          ok(r === 'deactivated' ? 'Active script is now deactivated.' : 'No scripts currently active.'),
        ),
      );
      return true;
    }
    const name = this.nameOrReply(nameData);
    if (name === null) return true;
    await this.ctx.store.setActive(this.user!, name);
    this.write(encodeResponse(ok('Setactive completed.')));
    return true;
  }

  private async getScript(nameData: Buffer): Promise<boolean> {
    const name = this.nameOrReply(nameData);
    if (name === null) return true;
    const content = await this.ctx.store.get(this.user!, name);
    if (content === null) {
      this.write(encodeResponse(no(`Sieve script \`${name}' not found`, 'NONEXISTENT')));
      return true;
    }
    await this.send(
      Buffer.concat([
        encodeLiteral(content),
        Buffer.from('\r\n'),
        encodeResponse(ok('Getscript completed.')),
      ]),
    );
    return true;
  }

  private async deleteScript(nameData: Buffer): Promise<boolean> {
    const name = this.nameOrReply(nameData);
    if (name === null) return true;
    await this.ctx.store.delete(this.user!, name);
    this.write(encodeResponse(ok('Deletescript completed.')));
    return true;
  }

  private async renameScript(oldData: Buffer, newData: Buffer): Promise<boolean> {
    const oldName = this.nameOrReply(oldData);
    if (oldName === null) return true;
    // Like Dovecot: a missing source script is reported before a bad new name.
    if ('problem' in parseScriptName(newData) && (await this.ctx.store.get(this.user!, oldName)) === null) {
      this.write(encodeResponse(no(`Sieve script \`${oldName}' not found`, 'NONEXISTENT')));
      return true;
    }
    const newName = this.nameOrReply(newData);
    if (newName === null) return true;
    await this.ctx.store.rename(this.user!, oldName, newName);
    this.write(encodeResponse(ok('Renamescript completed.')));
    return true;
  }
}

const STAR = Buffer.from('*');

/** Argument shapes: 's' string, 'n' number (atom), '?s' optional trailing string. */
const SHAPES: Record<string, string[]> = {
  CAPABILITY: [],
  LOGOUT: [],
  NOOP: ['?s'],
  STARTTLS: [],
  AUTHENTICATE: ['s', '?s'],
  UNAUTHENTICATE: [],
  HAVESPACE: ['s', 'n'],
  PUTSCRIPT: ['s', 's'],
  CHECKSCRIPT: ['s'],
  LISTSCRIPTS: [],
  SETACTIVE: ['s'],
  GETSCRIPT: ['s'],
  DELETESCRIPT: ['s'],
  RENAMESCRIPT: ['s', 's'],
};

function checkShape(args: Token[], shape: string[]): string | null {
  const required = shape.filter((s) => !s.startsWith('?')).length;
  if (args.length < required) return 'Missing arguments';
  if (args.length > shape.length) return 'Too many arguments';
  for (let i = 0; i < args.length; i++) {
    const want = shape[i]!.replace('?', '');
    const a = args[i]!;
    if (want === 's' && a.kind !== 'string') return `Argument ${i + 1} must be a string`;
    if (want === 'n' && (a.kind !== 'atom' || !/^\d+$/.test(a.value)))
      return `Argument ${i + 1} must be a number`;
  }
  return null;
}

/** One line as a quoted string; several as CRLF-terminated lines, which go out as a literal. */
function diagnosticText(lines: string[]): string {
  return lines.length === 1 ? lines[0]! : lines.map((l) => `${l}\r\n`).join('');
}

function storeErrorResponse(e: ScriptStoreError): Response {
  switch (e.code) {
    case 'INVALIDNAME':
      return no(e.message);
    default:
      return no(e.message, e.code);
  }
}

async function awaitHandshake(socket: TLSSocket, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new IdleTimeout('TLS handshake timeout')), timeoutMs);
    timer.unref();
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('secure', onSecure);
      socket.off('error', fail);
      socket.off('close', onClose);
    };
    const onSecure = (): void => {
      cleanup();
      resolve();
    };
    const fail = (err: Error): void => {
      cleanup();
      reject(err instanceof IdleTimeout ? err : new ConnectionClosed(`TLS handshake failed: ${err.message}`));
    };
    const onClose = (): void => fail(new ConnectionClosed('closed during TLS handshake'));
    socket.on('secure', onSecure);
    socket.on('error', fail);
    socket.on('close', onClose);
  });
}
