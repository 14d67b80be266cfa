import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { hashPassword, PasswdFileDirectory, upsertPasswdEntry } from '../accounts/index.js';
import { SieveEngine, type ConfigInput } from '../index.js';
import { DELIVERY_DEFAULTS, type DeliverySettings } from './delivery-settings.js';
import { deliveryLogger } from './delivery-log.js';
import { startLmtp, type StartedLmtp } from './lmtp.js';
import { consoleLogger, defaultDataDir, startManageSieve, type StartedManageSieve } from './managesieve.js';
import type { ManageSieveSection } from './managesieve-settings.js';
import { startWebmail, type StartedWebmail } from './webmail.js';
import type { WebmailSection } from './webmail-settings.js';

export interface StartOptions {
  dataDir?: string;
  usersFile?: string;
  relay?: string;
  /** Default 127.0.0.1:4190. */
  managesieveListen?: string;
  /** Default 127.0.0.1:2424. */
  lmtpListen?: string;
  /** Default 127.0.0.1:8080. */
  webmailListen?: string;
  /** Webmail settings from a configuration file; its ManageSieve server is the one started here. */
  webmail?: WebmailSection;
  /** Delivery settings from a configuration file, under the options above. */
  delivery?: DeliverySettings;
  /** The engine section: delivery runs scripts with it and ManageSieve checks uploads with it. */
  engine?: ConfigInput;
  /** ManageSieve settings from a configuration file, under the options above. */
  managesieve?: ManageSieveSection;
  /** Where the summary and log lines go. Default stdout. */
  print?: (text: string) => void;
}

export interface Started {
  managesieve: StartedManageSieve;
  lmtp: StartedLmtp;
  webmail: StartedWebmail;
  demo: { user: string; password: string } | null;
  /** Stops the services; deliveries in flight finish first. */
  close(): Promise<void>;
}

const DEMO_USER = 'demo';

/**
 * The demo account: created with a random password when the users file has nobody, and its
 * password kept in `<dataDir>/demo-password` (mode 0600) so later starts can show it again.
 */
async function demoAccount(
  dataDir: string,
  usersFile: string,
): Promise<{ user: string; password: string; created: boolean } | null> {
  const file = path.join(dataDir, 'demo-password');
  const directory = new PasswdFileDirectory(usersFile);
  const users = await directory.list();
  if (users.length > 0) {
    if (!users.includes(DEMO_USER)) return null;
    const password = await fs.readFile(file, 'utf8').catch(() => null);
    return password === null ? null : { user: DEMO_USER, password: password.trim(), created: false };
  }
  const password = randomBytes(9).toString('base64url');
  await fs.writeFile(file, password + '\n', { mode: 0o600 });
  await upsertPasswdEntry(usersFile, {
    user: DEMO_USER,
    password: await hashPassword(password, 'SHA512-CRYPT'),
    uid: '',
    gid: '',
    gecos: '',
    home: '',
    shell: '',
    extra: {},
  });
  return { user: DEMO_USER, password, created: true };
}

/** How to call this command line in the printed examples: `tamis`, or the script it runs from. */
function tamisCommand(): string {
  const script = process.argv[1] ?? '';
  if (!script.endsWith('main.cjs')) return 'tamis';
  const rel = path.relative(process.cwd(), script);
  return `node ${rel.startsWith('..') ? script : rel}`;
}

function summary(s: Started, dataDir: string, outbox: string, relay: string | undefined): string {
  const tamis = tamisCommand();
  const ms = `${s.managesieve.host}:${s.managesieve.port}`;
  const user = s.demo?.user ?? 'USER';
  const lines = [
    '',
    'tamis is running:',
    `  ManageSieve  ${ms}`,
    `  LMTP         ${s.lmtp.address}`,
    `  webmail      ${s.webmail.url}`,
    `  data folder  ${dataDir}`,
    s.demo
      ? `  demo user    ${s.demo.user}, password ${s.demo.password}`
      : `  users        ${s.managesieve.usersFile} (add one: ${tamis} users add ${s.managesieve.usersFile} NAME)`,
    '',
    'Upload and activate a script (password from the environment):',
    `  echo 'require ["fileinto", "mailbox"]; if header :contains "subject" "report" { fileinto :create "Reports"; }' > filter.sieve`,
    `  TAMIS_PW=... ${tamis} sieve-client --host ${s.managesieve.host} --port ${s.managesieve.port} --user ${user} --password-env TAMIS_PW --insecure put main filter.sieve`,
    `  TAMIS_PW=... ${tamis} sieve-client --host ${s.managesieve.host} --port ${s.managesieve.port} --user ${user} --password-env TAMIS_PW --insecure activate main`,
    '',
    'Deliver a test message:',
    `  printf 'Subject: report\\r\\n\\r\\nhello\\r\\n' | ${tamis} deliver --data ${dataDir} -f you@example.org -a ${user}`,
    `  or over LMTP at ${s.lmtp.address} (Postfix: virtual_transport = lmtp:inet:${s.lmtp.address})`,
    '',
    `Mail is stored in ${path.join(dataDir, 'home', user, 'Maildir')}; outgoing mail ${relay ? `goes to ${relay}` : `is written to ${path.join(outbox, 'sent')}`}.`,
    'Ctrl-C stops the services.',
    '',
  ];
  return lines.join('\n');
}

/** `tamis start`: ManageSieve and LMTP on one data folder, a demo user, and how to use them. */
export async function startAll(options: StartOptions = {}): Promise<Started> {
  const print = options.print ?? ((t: string) => process.stdout.write(t + '\n'));
  const dataDir = path.resolve(
    options.dataDir ?? options.delivery?.dataDir ?? options.managesieve?.dataDir ?? defaultDataDir(),
  );
  const usersFile = path.resolve(options.usersFile ?? path.join(dataDir, 'users'));
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Before ManageSieve starts, so it finds the user there.
  const demo = await demoAccount(dataDir, usersFile);
  const engine = options.engine ?? {};
  // ManageSieve advertises the redirect limit deliveries run with.
  const maxRedirects =
    engine.maxRedirects ?? options.delivery?.maxRedirects ?? DELIVERY_DEFAULTS.maxRedirects;
  const managesieve = await startManageSieve(
    {
      ...options.managesieve,
      dataDir,
      usersFile,
      listen: options.managesieveListen ?? options.managesieve?.listen ?? '127.0.0.1:4190',
    },
    { info: (m) => print(m), warn: (m) => print(m), error: consoleLogger.error },
    new SieveEngine({ config: { ...engine, maxRedirects } }),
  );
  let lmtp: StartedLmtp;
  let webmail: StartedWebmail;
  try {
    const settings: DeliverySettings = {
      ...options.delivery,
      dataDir,
      usersFile,
      relay: options.relay ?? options.delivery?.relay,
      lmtp: { ...options.delivery?.lmtp, listen: options.lmtpListen ?? options.delivery?.lmtp?.listen },
    };
    lmtp = await startLmtp(settings, deliveryLogger(settings.logFile ?? 'stdout', 'lmtp'), engine);
  } catch (e) {
    await managesieve.server.close();
    throw e;
  }
  try {
    // The webmail logs in to the ManageSieve server started above, over loopback when it listens on all addresses.
    const msHost = /^(0\.0\.0\.0|::|)$/.test(managesieve.host) ? '127.0.0.1' : managesieve.host;
    webmail = await startWebmail(
      {
        ...options.webmail,
        managesieve: `${msHost.includes(':') ? `[${msHost}]` : msHost}:${managesieve.port}`,
        listen: options.webmailListen ?? options.webmail?.listen ?? '127.0.0.1:8080',
      },
      {
        engine: { ...engine, maxRedirects },
        logger: { info: print, warn: print, error: consoleLogger.error },
      },
    );
  } catch (e) {
    await Promise.all([lmtp.close(), managesieve.server.close()]);
    throw e;
  }
  const started: Started = {
    managesieve,
    lmtp,
    webmail,
    demo: demo ? { user: demo.user, password: demo.password } : null,
    async close() {
      await Promise.all([webmail.close(), lmtp.close(), managesieve.server.close()]);
    },
  };
  print(summary(started, dataDir, lmtp.delivery.outboxDir, options.relay ?? options.delivery?.relay));
  return started;
}
