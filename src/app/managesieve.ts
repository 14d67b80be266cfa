import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HashPool, PasswdFileDirectory } from '../accounts/index.js';
import { SieveEngine, type ConfigInput } from '../index.js';
import { FileScriptStore } from '../scripts/file-store.js';
import { defaultDataDir } from './data-dir.js';
import { userHomes } from './homes.js';
import { ensureSelfSignedCertificate } from '../managesieve/server/certificate.js';
import type { ManageSieveLogger } from '../managesieve/server/options.js';
import { createManageSieveServer, type ManageSieveServer } from '../managesieve/server/server.js';
import { loadConfig } from './config-file.js';
import type { ManageSieveSection } from './managesieve-settings.js';

/**
 * What the ManageSieve service is started from: the `managesieve` section of the configuration
 * file (see docs/configuration.md), plus two keys kept for programs written before the engine had
 * its own section.
 */
export type ManageSieveConfig = Omit<ManageSieveSection, 'quota'> & {
  quota?: ManageSieveSection['quota'] & {
    /** @deprecated The engine's `maxScriptSize`; used only when no engine is passed to startManageSieve. */
    maxScriptSize?: number;
  };
  /** @deprecated The engine's `maxRedirects`; used only when no engine is passed to startManageSieve. */
  maxRedirects?: number;
};

export { defaultDataDir };

export function parseListen(spec: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(spec.trim());
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(spec)} (expected HOST:PORT)`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in ${JSON.stringify(spec)}`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/**
 * @deprecated Use loadConfig. Reads a configuration file (either form) and returns its
 * `managesieve` section, with the engine's `maxRedirects` and `maxScriptSize` under their old keys.
 */
export async function loadManageSieveConfig(file: string): Promise<ManageSieveConfig> {
  const { engine, managesieve = {} } = loadConfig(file, { flat: 'managesieve' });
  const config: ManageSieveConfig = { ...managesieve };
  if (engine?.maxRedirects !== undefined) config.maxRedirects = engine.maxRedirects;
  if (engine?.maxScriptSize !== undefined)
    config.quota = { ...config.quota, maxScriptSize: engine.maxScriptSize };
  return config;
}

export interface StartedManageSieve {
  server: ManageSieveServer;
  host: string;
  port: number;
  dataDir: string;
  usersFile: string;
  store: FileScriptStore;
  directory: PasswdFileDirectory;
  /** Certificate in use (null without TLS); `generated` when it was created on this start. */
  certificate: { cert: string; key: string; generated: boolean } | null;
}

/**
 * Starts a server from a configuration with embedded defaults: with an empty config it listens on
 * 127.0.0.1:4190, keeps data in the default data folder, creates an empty users file and a self-signed
 * certificate there, and offers STARTTLS. Uploads are checked by `engine` (default: one built from the
 * deprecated `quota.maxScriptSize` and `maxRedirects` keys), whose `maxScriptSize` is the one size limit.
 */
export async function startManageSieve(
  config: ManageSieveConfig,
  logger: ManageSieveLogger = consoleLogger,
  engine: SieveEngine = legacyEngine(config),
): Promise<StartedManageSieve> {
  const dataDir = path.resolve(config.dataDir ?? defaultDataDir());
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const usersFile = path.resolve(config.usersFile ?? path.join(dataDir, 'users'));
  try {
    await fs.writeFile(usersFile, '', { flag: 'wx', mode: 0o600 });
    logger.info(
      `managesieve: created an empty users file ${usersFile}; add a user with: tamis users add ${usersFile} NAME`,
    );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const hashPool = config.hashWorkers === 0 ? undefined : new HashPool({ size: config.hashWorkers });
  const directory = new PasswdFileDirectory(usersFile, { hashPool });
  await directory.refresh();
  for (const err of directory.errors) logger.warn(`managesieve: ${usersFile}: ${err}`);
  if ((await directory.list()).length === 0) {
    logger.info(`managesieve: no users yet; add one with: tamis users add ${usersFile} NAME`);
  }

  const homeDir = path.resolve(config.homeDir ?? path.join(dataDir, 'home'));
  const useHome = config.useUsersFileHome ?? true;
  const store = new FileScriptStore({
    root: homeDir,
    homeFor: useHome ? userHomes({ homeDir, useUsersFileHome: true, directory }) : undefined,
    quota: { ...config.quota, maxScriptSize: engine.config.maxScriptSize },
  });

  let certificate: StartedManageSieve['certificate'] = null;
  const tlsCfg = config.tls ?? {};
  if (tlsCfg.enabled !== false) {
    if (tlsCfg.cert || tlsCfg.key) {
      if (!tlsCfg.cert || !tlsCfg.key) throw new Error('tls.cert and tls.key must be given together');
      certificate = { cert: tlsCfg.cert, key: tlsCfg.key, generated: false };
    } else {
      certificate = await ensureSelfSignedCertificate(path.join(dataDir, 'tls'));
      if (certificate.generated)
        logger.info(`managesieve: generated a self-signed certificate ${certificate.cert}`);
    }
  }
  const server = createManageSieveServer({
    directory,
    store,
    engine,
    globalScriptsDir: config.globalScriptsDir,
    secureLoopback: config.secureLoopback,
    tls: certificate
      ? { cert: await fs.readFile(certificate.cert), key: await fs.readFile(certificate.key) }
      : undefined,
    implicitTls: tlsCfg.implicit ?? false,
    insecureAuth: config.insecureAuth ?? false,
    implementation: config.implementation,
    referral: config.referral,
    allowedMechanisms: config.allowedMechanisms,
    limits: config.limits,
    authThrottle: config.authThrottle,
    logger,
  });
  if (hashPool) {
    const close = server.close.bind(server);
    server.close = async () => {
      await close();
      await hashPool.close();
    };
  }
  const { host, port } = parseListen(config.listen ?? '127.0.0.1:4190');
  const addr = await server.listen(port, host);
  logger.info(
    `managesieve: listening on ${addr.address}:${addr.port}` +
      (certificate ? (tlsCfg.implicit ? ' (implicit TLS)' : ' (STARTTLS)') : ' (no TLS)') +
      (config.insecureAuth ? ', plaintext authentication allowed without TLS' : ''),
  );
  return { server, host: addr.address, port: addr.port, dataDir, usersFile, store, directory, certificate };
}

/** An engine from the keys that used to set its limits here (`quota.maxScriptSize`, `maxRedirects`). */
function legacyEngine(config: ManageSieveConfig): SieveEngine {
  const input: ConfigInput = {};
  // 0 (unlimited, for the store) keeps the engine's default: the engine always has a limit.
  if (config.quota?.maxScriptSize) input.maxScriptSize = config.quota.maxScriptSize;
  if (config.maxRedirects !== undefined) input.maxRedirects = config.maxRedirects;
  return new SieveEngine({ config: input });
}

export const consoleLogger: ManageSieveLogger = {
  info: (m) => console.error(m),
  warn: (m) => console.error(m),
  error: (m) => console.error(m),
};
