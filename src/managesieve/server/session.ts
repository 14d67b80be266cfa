import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { readCommand, type LiteralPolicy } from '../protocol/command.js';
import { parseScriptName, printableName } from '../../scripts/names.js';
import { ConnectionClosed, IdleTimeout, InputReader, LineTooLong } from '../protocol/reader.js';
import { encodeCapability, encodeResponse, type Response, type Token } from '../protocol/wire.js';
import { ScriptStoreError } from '../../scripts/types.js';
import { isLoopback, isPeerGone } from './address.js';
import { usableMechanisms } from './auth.js';
import { COMMANDS, checkShape } from './commands/table.js';
import type { CommandSession } from './commands/types.js';
import type { ServerContext } from './context.js';
import { EndSession, no, ok, scriptTooLarge, storeErrorResponse } from './responses.js';

export type { ServerContext } from './context.js';

/** The login deadline passed: unlike idleness, bytes trickling in do not postpone it. */
class LoginTimeout extends IdleTimeout {}

/** One client connection, from greeting to close. Commands run strictly one after another. */
export class Session implements CommandSession {
  socket: Socket;
  readonly reader: InputReader;
  tls: boolean;
  user: string | null = null;
  authFailures = 0;
  private badCommands = 0;
  private ended = false;
  private loginTimer: NodeJS.Timeout | null = null;
  readonly address: string;
  private readonly loopback: boolean;

  constructor(
    raw: Socket,
    readonly ctx: ServerContext,
    private readonly onDone: (s: Session) => void,
  ) {
    this.socket = raw;
    this.tls = raw instanceof TLSSocket;
    this.address = raw.remoteAddress ?? 'unknown';
    this.loopback = isLoopback(this.address);
    // Errors are handled through the reader; this keeps a late error on the raw socket from crashing the process.
    raw.on('error', () => {});
    this.reader = new InputReader(ctx.limits.preAuthTimeoutMs);
    this.reader.attach(raw);
    this.startLoginTimer();
  }

  private startLoginTimer(): void {
    this.stopLoginTimer();
    this.loginTimer = setTimeout(
      () => this.reader.fail(new LoginTimeout('Login deadline')),
      this.ctx.limits.loginTimeoutMs,
    );
    this.loginTimer.unref();
  }

  private stopLoginTimer(): void {
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = null;
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
      this.reply(ok(`${this.ctx.implementation} ready.`));
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
          this.reply(res.reply);
          break;
        }
        if (res.type === 'rejected') {
          this.reply(res.reply);
          continue;
        }
        if (res.type === 'syntax') {
          this.bad(`Error in MANAGESIEVE command: ${res.message}.`);
          continue;
        }
        if (!(await this.dispatch(res.tokens))) break;
      }
    } catch (e) {
      if (e instanceof LoginTimeout) this.reply({ kind: 'BYE', text: 'Login time exceeded.' });
      else if (e instanceof IdleTimeout) this.reply({ kind: 'BYE', text: 'Disconnected for inactivity.' });
      else if (e instanceof LineTooLong) this.reply({ kind: 'BYE', text: 'Command line too long.' });
      else if (isPeerGone(e)) {
        // A client that resets its connection has only disconnected, however abruptly.
        this.ctx.logger?.info(`managesieve: session ${this.address}: connection lost (${e.code})`);
      } else if (!(e instanceof ConnectionClosed) && !(e instanceof EndSession)) {
        this.ctx.logger?.error(`managesieve: session ${this.address}: ${(e as Error).stack ?? String(e)}`);
        this.reply({ kind: 'BYE', text: 'Internal server error.' });
      }
    } finally {
      this.close();
    }
  }

  private close(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopLoginTimer();
    this.reader.dispose();
    const s = this.socket;
    s.on('error', () => {});
    if (!s.destroyed) s.end();
    // Do not wait forever for a peer that does not read.
    setTimeout(() => s.destroy(), 2000).unref();
    this.onDone(this);
  }

  write(data: Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return true;
    return this.socket.write(data);
  }

  reply(response: Response): void {
    this.write(encodeResponse(response));
  }

  async send(data: Buffer): Promise<void> {
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

  bad(text: string): void {
    this.badCommands++;
    if (this.badCommands > this.ctx.limits.maxBadCommands) {
      this.reply({ kind: 'BYE', text: 'Too many invalid commands.' });
      throw new EndSession();
    }
    this.reply(no(text));
  }

  plaintextAllowed(): boolean {
    return this.tls || this.ctx.insecureAuth || (this.ctx.secureLoopback && this.loopback);
  }

  loggedIn(user: string): void {
    this.user = user;
    this.stopLoginTimer();
    this.reader.setIdleTimeout(this.ctx.limits.idleTimeoutMs);
  }

  loggedOut(): void {
    this.user = null;
    this.startLoginTimer();
    this.reader.setIdleTimeout(this.ctx.limits.preAuthTimeoutMs);
  }

  private readonly literalPolicy: LiteralPolicy = async (tokens, literal) => {
    const user = this.user;
    const limits = this.ctx.limits;
    if (user === null) {
      if (literal.size > limits.maxPreAuthLiteralSize) {
        return { action: 'close', reply: { kind: 'BYE', text: 'Literal too large.' } };
      }
      return { action: 'read' };
    }
    const cmd = tokens[0]?.kind === 'atom' ? tokens[0].value.toUpperCase() : '';
    if (cmd === 'PUTSCRIPT' && tokens.length === 2 && tokens[1].kind === 'string') {
      // Size and quota are checked against the announced size before a single byte of the script is read.
      const tooLarge = scriptTooLarge(this.ctx, literal.size);
      if (tooLarge) return { action: 'skip', reply: tooLarge };
      const parsed = parseScriptName(tokens[1].value);
      if ('name' in parsed) {
        const check = await this.ctx.store.haveSpace(user, parsed.name, literal.size);
        if (!check.ok) return { action: 'skip', reply: no(check.message, check.code) };
      }
    }
    if (literal.size > limits.maxLiteralSize) {
      return { action: 'skip', reply: no(`Literal too large (max ${limits.maxLiteralSize} bytes).`) };
    }
    return { action: 'read' };
  };

  async sendCapabilities(): Promise<void> {
    const c = this.ctx;
    const lines = [
      encodeCapability('IMPLEMENTATION', c.implementation),
      encodeCapability('SIEVE', c.sieveCapability()),
    ];
    const notify = c.notify();
    if (notify) lines.push(encodeCapability('NOTIFY', notify));
    if (this.user === null) {
      lines.push(encodeCapability('SASL', usableMechanisms(this).join(' ')));
      if (c.secureContext && !this.tls) lines.push(encodeCapability('STARTTLS'));
    } else {
      lines.push(encodeCapability('MAXREDIRECTS', String(c.engine.config.maxRedirects)));
      lines.push(encodeCapability('OWNER', this.user));
    }
    lines.push(encodeCapability('UNAUTHENTICATE'));
    lines.push(encodeCapability('VERSION', '1.0'));
    this.write(Buffer.concat(lines));
  }

  /** Runs one command from the table; false when the session must end. */
  private async dispatch(tokens: Token[]): Promise<boolean> {
    const head = tokens[0];
    if (!head || head.kind !== 'atom') {
      this.bad('Error in MANAGESIEVE command: expected a command name.');
      return true;
    }
    const cmd = head.value.toUpperCase();
    const args = tokens.slice(1);
    const spec = COMMANDS.get(cmd);
    if (!spec) {
      this.bad(`Error in MANAGESIEVE command ${printableName(Buffer.from(cmd, 'latin1'))}: Unknown command.`);
      return true;
    }
    if (this.user === null && spec.state === 'authenticated') {
      this.bad(`Error in MANAGESIEVE command ${cmd}: Authenticate first.`);
      return true;
    }
    if (this.user !== null && spec.state === 'unauthenticated') {
      this.bad(`Error in MANAGESIEVE command ${cmd}: Not allowed after authentication.`);
      return true;
    }
    const problem = checkShape(args, spec.args);
    if (problem) {
      this.bad(`Error in MANAGESIEVE command ${cmd}: ${problem}.`);
      return true;
    }
    try {
      return await spec.run(this, args);
    } catch (e) {
      if (e instanceof EndSession || e instanceof ConnectionClosed || e instanceof IdleTimeout) throw e;
      if (e instanceof LineTooLong || isPeerGone(e)) throw e;
      if (e instanceof ScriptStoreError) {
        this.reply(storeErrorResponse(e));
        return true;
      }
      this.ctx.logger?.error(
        `managesieve: ${cmd} for ${this.user ?? '-'}: ${(e as Error).stack ?? String(e)}`,
      );
      this.reply(no('Temporary server failure; try again later.', 'TRYLATER'));
      return true;
    }
  }
}
