/**
 * One ManageSieve connection per session: opened at login, kept while the session uses it, closed
 * when unused for a while, and opened again (with the unsealed password) when it has dropped.
 * Requests of one session take turns, so a read-merge-write edit is never interleaved.
 */
import {
  ManageSieveClient,
  ManageSieveError,
  type ManageSieveCapabilities,
} from '../managesieve/client/index.js';
import { SessionLost } from './errors.js';
import type { ManageSieveTarget } from './options.js';

const isLoopback = (host: string): boolean =>
  host === 'localhost' || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '::1';

/** Connects (with TLS as the target asks) and logs in with AUTHENTICATE PLAIN. */
export async function openClient(
  target: ManageSieveTarget,
  user: string,
  password: string,
): Promise<ManageSieveClient> {
  const mode = target.tls ?? 'auto';
  const tlsOptions = {
    ...(target.insecure ? { rejectUnauthorized: false } : {}),
    ...(target.ca ? { ca: target.ca } : {}),
  };
  const timeoutMs = target.timeoutMs ?? 30_000;
  const client = await ManageSieveClient.connect(target.host, target.port, {
    tls: mode === 'implicit' ? 'implicit' : mode === 'starttls' ? 'starttls' : 'none',
    tlsOptions,
    connectTimeoutMs: timeoutMs,
    timeoutMs,
  });
  try {
    if (mode === 'auto' && client.capabilities.startTls && !isLoopback(target.host))
      await client.startTls(tlsOptions);
    await client.authenticate('PLAIN', user, password);
    return client;
  } catch (err) {
    client.destroy();
    throw err;
  }
}

export class SieveLink {
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly target: ManageSieveTarget,
    private readonly user: string,
    private readonly idleMs: number,
    private client: ManageSieveClient | null = null,
  ) {
    this.arm();
  }

  get capabilities(): ManageSieveCapabilities | null {
    return this.client?.capabilities ?? null;
  }

  /**
   * Runs `fn` with a logged-in client, after the session's earlier requests. `password` unseals the
   * password, needed only when the connection has to be opened again.
   */
  use<T>(password: () => string | null, fn: (client: ManageSieveClient) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.run(password, fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run<T>(password: () => string | null, fn: (c: ManageSieveClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new SessionLost();
    if (this.timer) clearTimeout(this.timer);
    try {
      let client = await this.connected(password);
      try {
        return await fn(client);
      } catch (err) {
        // A connection that dropped between two requests is opened again once; the server's
        // own answers (NO) are final.
        if (err instanceof ManageSieveError || client.connected) throw err;
        client = await this.connected(password);
        return await fn(client);
      }
    } finally {
      this.arm();
    }
  }

  private async connected(password: () => string | null): Promise<ManageSieveClient> {
    if (this.client?.connected) return this.client;
    this.client?.destroy();
    this.client = null;
    const secret = password();
    if (secret === null) throw new SessionLost();
    try {
      this.client = await openClient(this.target, this.user, secret);
    } catch (err) {
      if (err instanceof ManageSieveError && err.command === 'AUTHENTICATE') throw new SessionLost();
      throw err;
    }
    return this.client;
  }

  private arm(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const c = this.client;
      this.client = null;
      if (c) void c.logout().catch(() => c.destroy());
    }, this.idleMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    if (c) void c.logout().catch(() => c.destroy());
  }
}
