import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer } from 'node:tls';
import { SieveEngine, sieveCapabilities } from '../../index.js';
import { serverMechanisms } from '../sasl/index.js';
import { encodeResponse } from '../protocol/wire.js';
import { DEFAULT_LIMITS, type ManageSieveServerOptions } from './options.js';
import { Session, type ServerContext } from './session.js';
import { AuthThrottle } from './throttle.js';

export interface ManageSieveServer {
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, says BYE to every open session and resolves once all are closed. */
  close(): Promise<void>;
  /** The bound address, or null when not listening. */
  address(): AddressInfo | null;
  /** Number of open sessions. */
  readonly connections: number;
  /** The failed-login bookkeeping (exposed for monitoring). */
  readonly throttle: AuthThrottle;
}

export function createManageSieveServer(options: ManageSieveServerOptions): ManageSieveServer {
  if (options.implicitTls && !options.tls) throw new Error('implicitTls needs tls (certificate and key)');
  const eng = serverEngine(options);
  const limits = {
    ...DEFAULT_LIMITS,
    // A script as large as the engine accepts must fit in a literal.
    maxLiteralSize: Math.max(DEFAULT_LIMITS.maxLiteralSize, eng.config.maxScriptSize),
    ...options.limits,
  };
  const mechanisms = options.mechanisms ?? ((dir, oauth) => serverMechanisms(dir, oauth ? { oauth } : {}));
  const mechanismInfo = mechanisms(options.directory, options.oauth).map((m) => ({
    name: m.name,
    plaintext: m.plaintext,
  }));
  let extensions: string[] | null = null;
  const exts = (): string[] => (extensions ??= sieveCapabilities(eng));
  const throttle = new AuthThrottle(options.authThrottle);
  const ctx: ServerContext = {
    store: options.store,
    directory: options.directory,
    mechanisms,
    mechanismInfo,
    oauth: options.oauth,
    allowedMechanisms: options.allowedMechanisms
      ? new Set(options.allowedMechanisms.map((m) => m.toUpperCase()))
      : null,
    secureContext: options.tls ? createSecureContext(options.tls) : null,
    implicitTls: options.implicitTls ?? false,
    insecureAuth: options.insecureAuth ?? false,
    secureLoopback: options.secureLoopback ?? true,
    implementation: options.implementation ?? 'tamis',
    referral: options.referral,
    limits,
    throttle,
    logger: options.logger,
    engine: eng,
    globalScriptsDir: options.globalScriptsDir,
    sieveCapability: () => exts().join(' '),
    notify: () => (exts().includes('enotify') ? 'mailto' : null),
  };

  const sessions = new Set<Session>();
  /** Open sessions per client address, so that one client cannot take every slot. */
  const perAddress = new Map<string, number>();
  const refuse = (socket: Socket, text: string): void => {
    socket.on('error', () => {});
    socket.end(encodeResponse({ kind: 'BYE', code: { name: 'TRYLATER' }, text }));
  };
  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true);
    if (sessions.size >= limits.maxConnections) return refuse(socket, 'Too many connections.');
    const address = socket.remoteAddress ?? 'unknown';
    const open = perAddress.get(address) ?? 0;
    if (open >= limits.maxConnectionsPerAddress)
      return refuse(socket, 'Too many connections from your address.');
    perAddress.set(address, open + 1);
    const session = new Session(socket, ctx, (s) => {
      sessions.delete(s);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
    sessions.add(session);
    void session.run();
  };

  let server: Server;
  if (ctx.implicitTls) {
    server = createTlsServer({
      ...options.tls,
      handshakeTimeout: limits.tlsHandshakeTimeoutMs,
    });
    server.on('secureConnection', onSocket);
    server.on('tlsClientError', () => {});
  } else {
    server = createNetServer(onSocket);
  }
  server.maxConnections = limits.maxConnections + 100;

  return {
    async listen(port = options.port ?? 4190, host = options.host ?? '127.0.0.1') {
      // Fail early if the engine is not usable, rather than in every greeting.
      exts();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host, backlog: 2048 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return server.address() as AddressInfo;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of [...sessions]) s.shutdown('Server shutting down.');
      if (server.listening) await closed;
    },
    address() {
      const a = server.address();
      return a && typeof a === 'object' ? a : null;
    },
    get connections() {
      return sessions.size;
    },
    throttle,
  };
}

/** The engine given, or a default one; the deprecated `maxRedirects` option configures only the latter. */
function serverEngine(options: ManageSieveServerOptions): SieveEngine {
  const { engine, maxRedirects } = options;
  if (!engine) return new SieveEngine(maxRedirects === undefined ? {} : { config: { maxRedirects } });
  if (maxRedirects !== undefined && maxRedirects !== engine.config.maxRedirects) {
    throw new Error(
      `maxRedirects ${maxRedirects} contradicts the engine's config.maxRedirects ${engine.config.maxRedirects}`,
    );
  }
  return engine;
}
