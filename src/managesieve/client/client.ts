import net from 'node:net';
import tls from 'node:tls';
import { parseCapabilities, type ManageSieveCapabilities } from './capabilities.js';
import { ManageSieveError, ManageSieveProtocolError } from './errors.js';
import { clientMechanism, type ClientMechanismName } from './sasl.js';
import {
  DEFAULT_LIMITS,
  encodeCommand,
  encodeString,
  LineReader,
  tokenText,
  type Token,
  type WireLimits,
} from './wire.js';
import { describeLine, warnings } from './responses.js';
import { openSocket } from './socket.js';
import type { ConnectOptions, ManageSieveClientOptions, ManageSieveResponse, ScriptInfo } from './types.js';

const RESPONSES = new Set(['OK', 'NO', 'BYE']);

/** A ManageSieve (RFC 5804) client. One command runs at a time; calls made meanwhile wait their turn. */
export class ManageSieveClient {
  capabilities: ManageSieveCapabilities = parseCapabilities([]);
  /** The greeting's OK text. */
  greeting = '';
  authenticatedAs: string | null = null;
  private socket: net.Socket | null = null;
  private reader: LineReader;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = true;
  private host = '';
  private readonly opts: ManageSieveClientOptions;
  private readonly limits: WireLimits;

  constructor(opts: ManageSieveClientOptions = {}) {
    this.opts = opts;
    this.limits = { ...DEFAULT_LIMITS, ...opts };
    this.reader = new LineReader(this.limits);
  }

  /** Connects and reads the greeting; with tls 'starttls' it also upgrades the connection. */
  static async connect(
    host: string,
    port: number,
    opts: ConnectOptions & ManageSieveClientOptions = {},
  ): Promise<ManageSieveClient> {
    const c = new ManageSieveClient(opts);
    await c.connect(host, port, opts);
    return c;
  }

  get secure(): boolean {
    return this.socket instanceof tls.TLSSocket && this.socket.encrypted;
  }

  get connected(): boolean {
    return !this.closed;
  }

  async connect(host: string, port: number, opts: ConnectOptions = {}): Promise<void> {
    if (!this.closed) throw new Error('already connected');
    const mode = opts.tls ?? 'none';
    const timeout = opts.connectTimeoutMs ?? 30000;
    this.host = host;
    this.reader = new LineReader(this.limits);
    const socket = await openSocket(host, port, mode === 'implicit', opts.tlsOptions, timeout);
    this.attach(socket);
    this.closed = false;
    try {
      const greeting = await this.withTimeout(this.readResponse('greeting'), timeout);
      this.capabilities = parseCapabilities(greeting.lines);
      this.greeting = greeting.text;
      if (mode === 'starttls') {
        if (!this.capabilities.startTls)
          throw new ManageSieveProtocolError('the server does not offer STARTTLS');
        await this.startTls(opts.tlsOptions);
      }
    } catch (err) {
      this.destroy();
      throw err;
    }
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      if (this.socket === socket) this.reader.push(d);
    });
    socket.on('error', (e) => {
      if (this.socket === socket)
        this.reader.close(new ManageSieveProtocolError(`connection error: ${e.message}`));
    });
    socket.on('close', () => {
      if (this.socket === socket) {
        this.closed = true;
        this.reader.close(new ManageSieveProtocolError('connection closed by server'));
      }
    });
  }

  /** Closes the connection without LOGOUT. */
  destroy(): void {
    this.closed = true;
    this.socket?.destroy();
    this.reader.close(new ManageSieveProtocolError('connection closed'));
  }

  // ---- plumbing ----

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async withTimeout<T>(p: Promise<T>, ms = this.opts.timeoutMs ?? 0): Promise<T> {
    if (!ms) return p;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            this.destroy();
            reject(new ManageSieveProtocolError('timed out waiting for the server'));
          }, ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private write(data: Buffer, masked = false): void {
    if (this.closed || !this.socket) throw new ManageSieveProtocolError('not connected');
    this.opts.debug?.('C', masked ? '[authentication data]' : data.toString('utf8').replace(/\r\n$/, ''));
    this.socket.write(data);
  }

  private async readLine(): Promise<Token[]> {
    const line = await this.reader.readLine();
    if (this.opts.debug) this.opts.debug('S', describeLine(line));
    return line;
  }

  /** Reads data lines up to and including OK/NO/BYE; NO and BYE throw ManageSieveError. */
  private async readResponse(command: string): Promise<ManageSieveResponse> {
    const lines: Token[][] = [];
    for (;;) {
      const line = await this.readLine();
      const first = line[0];
      if (first?.kind === 'atom' && RESPONSES.has(first.value.toUpperCase())) {
        return this.finish(first.value.toUpperCase() as 'OK' | 'NO' | 'BYE', line.slice(1), lines, command);
      }
      if (first?.kind === 'atom')
        throw new ManageSieveProtocolError(`unexpected server line starting with ${first.value}`);
      lines.push(line);
    }
  }

  private finish(
    kind: 'OK' | 'NO' | 'BYE',
    rest: Token[],
    lines: Token[][],
    command: string,
  ): ManageSieveResponse {
    let code: string | undefined;
    let codeArgs: string[] | undefined;
    let i = 0;
    if (rest[0]?.kind === 'list') {
      const items = rest[0].items;
      code = items[0]?.kind === 'atom' ? items[0].value.toUpperCase() : undefined;
      codeArgs = items.slice(1).map((t) => tokenText(t) ?? '');
      i = 1;
    }
    const text = tokenText(rest[i]) ?? '';
    if (kind === 'OK') {
      const r: ManageSieveResponse = { text, lines };
      if (code !== undefined) r.code = code;
      if (codeArgs !== undefined && codeArgs.length > 0) r.codeArgs = codeArgs;
      return r;
    }
    if (kind === 'BYE') {
      this.closed = true;
      this.socket?.end();
    }
    throw new ManageSieveError(kind, text, code, codeArgs, command);
  }

  private command(name: string, ...args: Array<string | Buffer | number>): Promise<ManageSieveResponse> {
    return this.serialize(() => this.commandNow(name, args));
  }

  private async commandNow(
    name: string,
    args: Array<string | Buffer | number>,
  ): Promise<ManageSieveResponse> {
    this.write(encodeCommand(name, args, this.opts.nonSynchronizingLiterals ?? true));
    return this.withTimeout(this.readResponse(name));
  }

  // ---- commands ----

  /** CAPABILITY: re-reads and stores the capabilities. */
  capability(): Promise<ManageSieveCapabilities> {
    return this.serialize(() => this.capabilityNow());
  }

  private async capabilityNow(): Promise<ManageSieveCapabilities> {
    const r = await this.commandNow('CAPABILITY', []);
    this.capabilities = parseCapabilities(r.lines);
    return this.capabilities;
  }

  /** STARTTLS, then the TLS handshake, then the capabilities the server pushes. */
  startTls(tlsOptions: tls.ConnectionOptions = {}): Promise<void> {
    return this.serialize(async () => {
      if (this.secure) throw new Error('TLS is already active');
      await this.commandNow('STARTTLS', []);
      if (this.reader.pending > 0)
        throw new ManageSieveProtocolError('server sent data before the TLS handshake');
      const plain = this.socket!;
      const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const s = tls.connect({
          socket: plain,
          servername: net.isIP(this.host) ? undefined : this.host,
          ...tlsOptions,
        });
        s.once('secureConnect', () => {
          s.off('error', reject);
          resolve(s);
        });
        s.once('error', reject);
      }).catch((err: Error) => {
        this.destroy();
        throw err;
      });
      this.attach(secure);
      const r = await this.withTimeout(this.readResponse('STARTTLS'));
      this.capabilities = parseCapabilities(r.lines);
    });
  }

  /**
   * AUTHENTICATE with PLAIN, LOGIN, SCRAM-SHA-256 or OAUTHBEARER (`secret` is then the bearer token).
   * Throws ManageSieveError on NO. For SCRAM the server's signature is checked.
   */
  authenticate(
    mechanism: ClientMechanismName,
    user: string,
    secret: string,
    authzid?: string,
  ): Promise<void> {
    return this.serialize(async () => {
      const mech = mechanism.toUpperCase() as ClientMechanismName;
      const ex = clientMechanism(mech, { user, secret, ...(authzid !== undefined ? { authzid } : {}) });
      const nonSync = this.opts.nonSynchronizingLiterals ?? true;
      const b64 = (b: Buffer): Buffer => encodeString(b.toString('base64'), nonSync);
      const initial = ex.initial();
      const head = Buffer.from(`AUTHENTICATE `);
      const parts = [head, encodeString(mech)];
      if (initial) parts.push(Buffer.from(' '), b64(initial));
      parts.push(Buffer.from('\r\n'));
      this.write(Buffer.concat(parts), true);
      let clientError: Error | null = null;
      let finalChecked = false;
      for (;;) {
        const line = await this.withTimeout(this.readLine());
        const first = line[0];
        if (first?.kind === 'atom' && RESPONSES.has(first.value.toUpperCase())) {
          const kind = first.value.toUpperCase() as 'OK' | 'NO' | 'BYE';
          if (clientError) {
            // We cancelled; an OK here means the server accepted something we did not trust.
            if (kind === 'OK') this.destroy();
            else if (kind === 'BYE') this.finish(kind, line.slice(1), [], 'AUTHENTICATE');
            throw clientError;
          }
          const r = this.finish(kind, line.slice(1), [], 'AUTHENTICATE');
          if (!finalChecked) {
            const data = r.code === 'SASL' && r.codeArgs?.[0] ? Buffer.from(r.codeArgs[0], 'base64') : null;
            try {
              ex.verifyFinal(data);
            } catch (err) {
              this.destroy();
              throw err;
            }
          }
          break;
        }
        if (first?.kind !== 'string' || clientError) {
          if (clientError) continue;
          throw new ManageSieveProtocolError('unexpected line during AUTHENTICATE');
        }
        const challenge = Buffer.from(first.value.toString('latin1'), 'base64');
        let response: Buffer;
        try {
          if (mech === 'SCRAM-SHA-256' && challenge.toString('utf8').startsWith('v=')) {
            // Server-final sent as a challenge instead of in OK (SASL ...): check it, answer empty.
            ex.verifyFinal(challenge);
            finalChecked = true;
            response = Buffer.alloc(0);
          } else response = ex.respond(challenge);
        } catch (err) {
          clientError = err as Error;
          this.write(Buffer.from('"*"\r\n'));
          continue;
        }
        this.write(Buffer.concat([b64(response), Buffer.from('\r\n')]), true);
      }
      this.authenticatedAs = authzid || user;
      if (this.opts.refreshCapabilities ?? true) await this.capabilityNow();
    });
  }

  /** HAVESPACE: resolves when a script of `size` bytes named `name` would fit; throws (QUOTA...) otherwise. */
  async haveSpace(name: string, size: number): Promise<void> {
    await this.command('HAVESPACE', name, size);
  }

  /** PUTSCRIPT. The script is sent byte for byte (strings as UTF-8). */
  async putScript(name: string, script: string | Buffer): Promise<{ warnings?: string }> {
    return warnings(await this.command('PUTSCRIPT', name, script));
  }

  async listScripts(): Promise<ScriptInfo[]> {
    const r = await this.command('LISTSCRIPTS');
    return r.lines.map((line) => {
      if (line[0]?.kind !== 'string') throw new ManageSieveProtocolError('malformed LISTSCRIPTS line');
      const flag = line[1];
      return {
        name: line[0].value.toString('utf8'),
        active: flag?.kind === 'atom' && flag.value.toUpperCase() === 'ACTIVE',
      };
    });
  }

  /** SETACTIVE; `""` deactivates. */
  async setActive(name: string): Promise<void> {
    await this.command('SETACTIVE', name);
  }

  /** GETSCRIPT, decoded as UTF-8. */
  async getScript(name: string): Promise<string> {
    return (await this.getScriptBytes(name)).toString('utf8');
  }

  /** GETSCRIPT, the exact bytes. */
  async getScriptBytes(name: string): Promise<Buffer> {
    const r = await this.command('GETSCRIPT', name);
    const first = r.lines[0]?.[0];
    if (r.lines.length !== 1 || first?.kind !== 'string')
      throw new ManageSieveProtocolError('malformed GETSCRIPT answer');
    return first.value;
  }

  async deleteScript(name: string): Promise<void> {
    await this.command('DELETESCRIPT', name);
  }

  async renameScript(oldName: string, newName: string): Promise<void> {
    await this.command('RENAMESCRIPT', oldName, newName);
  }

  /** CHECKSCRIPT: resolves (with the server's warnings, if any) when the script is valid; throws NO otherwise. */
  async checkScript(script: string | Buffer): Promise<{ warnings?: string }> {
    return warnings(await this.command('CHECKSCRIPT', script));
  }

  /** NOOP, optionally with a tag the server echoes back. */
  async noop(tag?: string): Promise<{ tag?: string }> {
    const r = tag === undefined ? await this.command('NOOP') : await this.command('NOOP', tag);
    return r.code === 'TAG' && r.codeArgs?.[0] !== undefined ? { tag: r.codeArgs[0] } : {};
  }

  /** UNAUTHENTICATE (RFC 5804 section 2.14.1). */
  unauthenticate(): Promise<void> {
    return this.serialize(async () => {
      await this.commandNow('UNAUTHENTICATE', []);
      this.authenticatedAs = null;
      if (this.opts.refreshCapabilities ?? true) await this.capabilityNow();
    });
  }

  /** LOGOUT and close. A BYE answer is accepted too. */
  logout(): Promise<void> {
    return this.serialize(async () => {
      if (this.closed) return;
      try {
        await this.commandNow('LOGOUT', []);
      } catch (err) {
        if (!(err instanceof ManageSieveError && err.response === 'BYE')) throw err;
      } finally {
        this.socket?.end();
        this.closed = true;
      }
    });
  }
}
