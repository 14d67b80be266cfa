import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PasswdFileDirectory } from '../../../src/accounts/index.js';
import {
  createManageSieveServer,
  ensureSelfSignedCertificate,
  type ManageSieveServer,
  type ManageSieveServerOptions,
} from '../../../src/managesieve/index.js';
import { FileScriptStore, type QuotaLimits } from '../../../src/scripts/index.js';

export interface Fixture {
  server: ManageSieveServer;
  port: number;
  dir: string;
  homes: string;
  store: FileScriptStore;
  cert: string | null;
  stop(): Promise<void>;
}

export const USERS = 'alice:{PLAIN}secret::::::\nbob:{PLAIN}hunter2::::::\n';

export async function startFixture(
  opts: {
    tls?: boolean;
    quota?: Partial<QuotaLimits>;
    server?: Partial<ManageSieveServerOptions>;
  } = {},
): Promise<Fixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tamis-ms-'));
  const usersFile = path.join(dir, 'users');
  await writeFile(usersFile, USERS, { mode: 0o600 });
  const homes = path.join(dir, 'home');
  const store = new FileScriptStore({ root: homes, quota: opts.quota });
  let cert: string | null = null;
  let tls: ManageSieveServerOptions['tls'];
  if (opts.tls) {
    const files = await ensureSelfSignedCertificate(path.join(dir, 'tls'));
    cert = files.cert;
    const { readFile } = await import('node:fs/promises');
    tls = { cert: await readFile(files.cert), key: await readFile(files.key) };
  }
  const server = createManageSieveServer({
    directory: new PasswdFileDirectory(usersFile),
    store,
    tls,
    insecureAuth: true,
    authThrottle: { baseDelayMs: 0 },
    ...opts.server,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    port,
    dir,
    homes,
    store,
    cert,
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
