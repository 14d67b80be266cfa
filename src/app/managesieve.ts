import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PasswdFileDirectory } from '../accounts/index.js';
import { SieveEngine, type ConfigInput } from '../index.js';
import { FileScriptStore } from '../scripts/file-store.js';
import { userHomes } from './homes.js';
import type { QuotaLimits } from '../scripts/types.js';
import { ensureSelfSignedCertificate } from '../managesieve/server/certificate.js';
import type { ManageSieveLimits, ManageSieveLogger } from '../managesieve/server/options.js';
import { createManageSieveServer, type ManageSieveServer } from '../managesieve/server/server.js';
import type { AuthThrottleOptions } from '../managesieve/server/throttle.js';

/** The JSON configuration file (every key optional; see docs/managesieve.md). */
export interface ManageSieveConfig {
  /** `HOST:PORT`, `[IPv6]:PORT` or `:PORT`. Default `127.0.0.1:4190`. */
  listen?: string;
  /** Data folder. Default `$XDG_DATA_HOME/tamis` when XDG_DATA_HOME is set, else `./tamis-data`. */
  dataDir?: string;
  /** Dovecot-style passwd-file. Default `<dataDir>/users` (created empty when missing). */
  usersFile?: string;
  /** Folder holding one home folder per user. Default `<dataDir>/home`. */
  homeDir?: string;
  /** Use the home field of the users file when an entry has one. Default true. */
  useUsersFileHome?: boolean;
  tls?: {
    /** PEM files; when both are absent a self-signed pair is generated in `<dataDir>/tls` and reused. */
    cert?: string;
    key?: string;
    /** TLS from the first byte instead of STARTTLS. Default false. */
    implicit?: boolean;
    /** Set false to run without any TLS (then only non-plaintext mechanisms, or insecureAuth). Default true. */
    enabled?: boolean;
  };
  /** Allow PLAIN/LOGIN/OAUTHBEARER without TLS. Default false. */
  insecureAuth?: boolean;
  implementation?: string;
  /** @deprecated The engine's `maxRedirects`; used only when no engine is passed to startManageSieve. */
  maxRedirects?: number;
  /** Folder of the scripts `include :global` reads. Default: none (no global scripts). */
  globalScriptsDir?: string;
  /** Treat loopback connections as secure for PLAIN and LOGIN without TLS. Default true. */
  secureLoopback?: boolean;
  /** Send every user to this `sieve://` server after login (REFERRAL). */
  referral?: string;
  /** Mechanisms users may pick; others answer AUTH-TOO-WEAK. Default: all. */
  allowedMechanisms?: string[];
  quota?: Partial<QuotaLimits>;
  limits?: Partial<ManageSieveLimits>;
  authThrottle?: Partial<AuthThrottleOptions>;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_DATA_HOME ? path.join(env.XDG_DATA_HOME, 'tamis') : path.resolve('tamis-data');
}

export function parseListen(spec: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(spec.trim());
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(spec)} (expected HOST:PORT)`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in ${JSON.stringify(spec)}`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

const KNOWN_KEYS = new Set([
  'listen',
  'dataDir',
  'usersFile',
  'homeDir',
  'useUsersFileHome',
  'tls',
  'insecureAuth',
  'implementation',
  'maxRedirects',
  'globalScriptsDir',
  'secureLoopback',
  'referral',
  'allowedMechanisms',
  'quota',
  'limits',
  'authThrottle',
]);

/** Reads a JSON config file; relative paths in it are taken relative to the file's folder. */
export async function loadManageSieveConfig(file: string): Promise<ManageSieveConfig> {
  const text = await fs.readFile(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`${file}: the configuration must be a JSON object`);
  }
  for (const k of Object.keys(data))
    if (!KNOWN_KEYS.has(k)) throw new Error(`${file}: unknown key ${JSON.stringify(k)}`);
  const cfg = data as ManageSieveConfig;
  const base = path.dirname(path.resolve(file));
  const rel = (p: string | undefined): string | undefined =>
    p === undefined ? undefined : path.resolve(base, p);
  return {
    ...cfg,
    dataDir: rel(cfg.dataDir),
    usersFile: rel(cfg.usersFile),
    homeDir: rel(cfg.homeDir),
    globalScriptsDir: rel(cfg.globalScriptsDir),
    tls: cfg.tls ? { ...cfg.tls, cert: rel(cfg.tls.cert), key: rel(cfg.tls.key) } : undefined,
  };
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
  const directory = new PasswdFileDirectory(usersFile);
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
