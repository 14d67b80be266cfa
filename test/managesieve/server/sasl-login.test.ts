import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, PasswdFileDirectory } from '../../../src/accounts/index.js';
import { createManageSieveServer, type ManageSieveServer } from '../../../src/managesieve/index.js';
import { FileScriptStore } from '../../../src/scripts/index.js';
import { ManageSieveClient, ManageSieveError } from '../../../src/managesieve/client/index.js';

// SCRAM-SHA-256 and OAUTHBEARER end to end: our client against our server.
describe('ManageSieve server: SCRAM-SHA-256 and OAUTHBEARER logins', () => {
  let dir: string;
  let server: ManageSieveServer;
  let port: number;
  const tokens = new Map([['token-for-carol', 'carol']]);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tamis-sasl-'));
    const users = path.join(dir, 'users');
    const scram = await hashPassword('correct horse', 'SCRAM-SHA-256');
    const crypt = await hashPassword('battery staple', 'SHA512-CRYPT');
    await writeFile(users, `dave:${scram}::::::\nerin:${crypt}::::::\ncarol:{PLAIN}unused::::::\n`, {
      mode: 0o600,
    });
    server = createManageSieveServer({
      directory: new PasswdFileDirectory(users),
      store: new FileScriptStore({ root: path.join(dir, 'home') }),
      insecureAuth: true,
      authThrottle: { baseDelayMs: 0 },
      oauth: async (token, claimed) => {
        const user = tokens.get(token) ?? null;
        return user !== null && (claimed === null || claimed === user) ? user : null;
      },
    });
    ({ port } = await server.listen(0, '127.0.0.1'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function login(mech: 'SCRAM-SHA-256' | 'OAUTHBEARER', user: string, secret: string) {
    const c = await ManageSieveClient.connect('127.0.0.1', port);
    try {
      await c.authenticate(mech, user, secret);
      await c.putScript('s', 'keep;\r\n');
      return { user: c.authenticatedAs, scripts: await c.listScripts() };
    } finally {
      c.destroy();
    }
  }

  it('advertises both mechanisms', async () => {
    const c = await ManageSieveClient.connect('127.0.0.1', port);
    expect(c.capabilities.sasl).toEqual(expect.arrayContaining(['SCRAM-SHA-256', 'OAUTHBEARER']));
    c.destroy();
  });

  it('logs in with SCRAM-SHA-256, the client checking the server signature', async () => {
    expect(await login('SCRAM-SHA-256', 'dave', 'correct horse')).toEqual({
      user: 'dave',
      scripts: [{ name: 's', active: false }],
    });
  });

  it('refuses a wrong SCRAM password, and SCRAM for a user without SCRAM credentials', async () => {
    await expect(login('SCRAM-SHA-256', 'dave', 'wrong')).rejects.toBeInstanceOf(ManageSieveError);
    const err = await login('SCRAM-SHA-256', 'erin', 'battery staple').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManageSieveError);
    expect((err as ManageSieveError).code).toBe('TRANSITION-NEEDED');
  });

  it('logs in with OAUTHBEARER through the token verifier, and refuses a bad token', async () => {
    expect(await login('OAUTHBEARER', 'carol', 'token-for-carol')).toMatchObject({ user: 'carol' });
    await expect(login('OAUTHBEARER', 'carol', 'forged')).rejects.toBeInstanceOf(ManageSieveError);
    await expect(login('OAUTHBEARER', 'dave', 'token-for-carol')).rejects.toBeInstanceOf(ManageSieveError);
  });
});
