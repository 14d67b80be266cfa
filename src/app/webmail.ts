/** Starts the webmail settings service from the `webmail` section (the wiring `tamis webmail` and `tamis start` share). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SieveEngine, type ConfigInput } from '../index.js';
import {
  createWebmailServer,
  type WebmailLogger,
  type WebmailServer,
  type RunJson,
} from '../webmail/index.js';
import { actionJson } from '../cli/format.js';
import { traceJson } from '../cli/trace-format.js';
import { consoleLogger, parseListen } from './managesieve.js';
import type { WebmailSection } from './webmail-settings.js';

export interface StartedWebmail {
  server: WebmailServer;
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** The JSON of `tamis test --json --trace`, so that /api/test answers in the same shapes. */
export const TEST_RUN_JSON: RunJson = { action: actionJson, trace: traceJson };

/**
 * The built pages next to the running code: `dist/webmail/page` seen from dist/ (the library),
 * dist/cli/ (the command line) or src/app/ (running from the sources).
 */
export function defaultPageDir(): string | undefined {
  const here = path.dirname(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'webmail', 'page'),
    path.join(here, '..', 'webmail', 'page'),
    path.join(here, '..', '..', 'dist', 'webmail', 'page'),
  ];
  return candidates.find((d) => existsSync(path.join(d, 'index.html')));
}

export interface StartWebmailOptions {
  /** The engine section: scripts are checked and tested with it. */
  engine?: ConfigInput;
  logger?: WebmailLogger;
}

export async function startWebmail(
  section: WebmailSection = {},
  options: StartWebmailOptions = {},
): Promise<StartedWebmail> {
  const target = parseListen(section.managesieve ?? '127.0.0.1:4190');
  const listen = parseListen(section.listen ?? '127.0.0.1:8080');
  const session = section.session ?? {};
  const limits = section.limits ?? {};
  const server = createWebmailServer({
    managesieve: {
      ...target,
      tls: section.managesieveTls ?? 'auto',
      ...(section.managesieveCa ? { ca: readFileSync(section.managesieveCa) } : {}),
      insecure: section.managesieveInsecure ?? false,
    },
    pageDir: section.pageDir ?? defaultPageDir(),
    trustedProxies: section.trustedProxies,
    frameAncestors: section.frameAncestors,
    loginThrottle: section.loginThrottle,
    scriptName: section.scriptName,
    engine: new SieveEngine({ config: options.engine ?? {} }),
    runJson: TEST_RUN_JSON,
    limits: {
      ...(session.idleTimeoutMs !== undefined ? { sessionIdleMs: session.idleTimeoutMs } : {}),
      ...(session.maxAgeMs !== undefined ? { sessionMaxAgeMs: session.maxAgeMs } : {}),
      ...(session.maxSessions !== undefined ? { maxSessions: session.maxSessions } : {}),
      ...limits,
    },
    logger: options.logger,
  });
  const addr = await server.listen(listen.port, listen.host);
  options.logger?.info(`webmail: listening on ${addr.url} (ManageSieve ${target.host}:${target.port})`);
  return { server, ...addr, close: () => server.close() };
}

/** Log lines on standard error, as the other services write them. */
export const consoleWebmailLogger: WebmailLogger = consoleLogger;
