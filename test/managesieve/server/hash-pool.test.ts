import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashPool, hashPassword, PasswdFileDirectory } from '../../../src/accounts/index.js';
import { ManageSieveClient, ManageSieveError } from '../../../src/managesieve/client/index.js';
import { createManageSieveServer, type ManageSieveServer } from '../../../src/managesieve/index.js';
import { FileScriptStore } from '../../../src/scripts/index.js';

// Logins whose hashes are checked on worker threads, and what a client sees when they are all busy.
describe('ManageSieve server: password checks on a hash pool', () => {
  let dir: string;
  const servers: ManageSieveServer[] = [];
  const pools: HashPool[] = [];
  let users: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tamis-pool-'));
    users = path.join(dir, 'users');
    await writeFile(users, `erin:${await hashPassword('battery staple', 'SHA512-CRYPT')}::::::\n`);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(pools.map((p) => p.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function serve(pool: HashPool): Promise<number> {
    pools.push(pool);
    const server = createManageSieveServer({
      directory: new PasswdFileDirectory(users, { hashPool: pool }),
      store: new FileScriptStore({ root: path.join(dir, 'home') }),
      insecureAuth: true,
      authThrottle: { baseDelayMs: 0 },
    });
    servers.push(server);
    return (await server.listen(0, '127.0.0.1')).port;
  }

  async function login(port: number, password: string): Promise<string | null> {
    const c = await ManageSieveClient.connect('127.0.0.1', port);
    try {
      await c.authenticate('PLAIN', 'erin', password);
      return c.authenticatedAs;
    } finally {
      c.destroy();
    }
  }

  it('logs in and refuses wrong passwords as before', async () => {
    const port = await serve(new HashPool({ size: 2 }));
    expect(await login(port, 'battery staple')).toBe('erin');
    await expect(login(port, 'wrong')).rejects.toBeInstanceOf(ManageSieveError);
  });

  it('answers NO (TRYLATER) when no check can start, without counting a failure', async () => {
    const port = await serve(new HashPool({ size: 1, maxQueue: 0 }));
    const err = await login(port, 'battery staple').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManageSieveError);
    expect((err as ManageSieveError).code).toBe('TRYLATER');
    expect((err as ManageSieveError).message).toMatch(/busy/i);
  });
});
