import { promises as fs, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
// The passwd-file alone: delivery looks users up and never verifies a password.
import { PasswdFileDirectory } from '../accounts/passwd-file.js';
import { SieveEngine, type ConfigInput } from '../index.js';
import {
  deliver,
  type DeliveryDeps,
  type DeliveryLogLine,
  type DeliveryRequest,
  type NamedScript,
} from '../delivery/deliver.js';
import type { DeliveryService } from '../delivery/lmtp.js';
import { maildirMailboxes } from '../delivery/maildir-mailboxes.js';
import { parseQuotaRules, parseStorageSize, type QuotaLimits } from '../maildir/quota.js';
import type { DeliveryOutcome } from '../delivery/outcome.js';
import { resolveRecipient } from '../delivery/recipient.js';
import { checkSrsAddress, INVALID_SRS } from '../delivery/srs-return.js';
import { srsOf } from './delivery-backends.js';
import { spamEngineSettings, type SpamRule, DEFAULT_SPAM_RULE } from '../delivery/spam-rule.js';
import { DELIVERY_DEFAULTS, type DeliverySettings } from './delivery-settings.js';
import { userHomes } from './homes.js';
import { defaultDataDir } from './data-dir.js';
import { openOutbox, openStores } from './delivery-backends.js';

export interface OpenedDelivery {
  deliver(request: DeliveryRequest): Promise<DeliveryOutcome>;
  /** The same deliveries as the LMTP frontend sees them. */
  service: DeliveryService;
  dataDir: string;
  usersFile: string;
  outboxDir: string;
  maxMessageSize: number;
  /**
   * Tries once to send what the outbox holds, waiting at most `timeoutMs`; what is not sent by
   * then stays queued for the next process that opens the outbox. For `tamis deliver`, which
   * would otherwise exit before its redirects and replies leave.
   */
  sendQueued(timeoutMs: number): Promise<void>;
  /** Waits for deliveries in flight, then closes the stores and the outbox. */
  close(): Promise<void>;
}

function spamRule(s: DeliverySettings['spam'] = {}): SpamRule {
  const d = DELIVERY_DEFAULTS.spam;
  return {
    ...DEFAULT_SPAM_RULE,
    enabled: s.enabled ?? d.enabled,
    threshold: s.threshold ?? d.threshold,
    folder: s.folder ?? d.folder,
    trust: {
      header: s.header ?? d.header,
      mode: s.trust ?? d.trust,
      receivedHops: s.receivedHops ?? d.receivedHops,
    },
  };
}

/**
 * The engine delivery runs: the `engine` section, the spam rule's spamtest scale (unless the rule is
 * off and the section sets its own), and the platform's redirect limit unless the section sets one.
 */
export function deliveryEngineConfig(
  engine: ConfigInput,
  settings: DeliverySettings,
  spam: SpamRule,
): ConfigInput {
  return {
    ...engine,
    ...(spam.enabled || !engine.spamtest ? spamEngineSettings(spam) : {}),
    maxRedirects: engine.maxRedirects ?? settings.maxRedirects ?? DELIVERY_DEFAULTS.maxRedirects,
  };
}

async function readScripts(files: string[] | undefined, kind: string): Promise<NamedScript[]> {
  return Promise.all(
    (files ?? []).map(async (file) => ({
      name: `${path.basename(file)} (${kind})`,
      source: await fs.readFile(file, 'utf8'),
    })),
  );
}

/**
 * The user's active script as Pigeonhole finds it: `<home>/.dovecot.sieve`, a link into `sieve/`
 * (what ManageSieve writes) or a plain file. Scripts it includes are read from `sieve/`.
 * Read in the calling thread: a script is a few kilobytes in the page cache, read on every
 * delivery, and the thread pool would cost five round trips for it.
 */
async function activeScript(home: string): Promise<NamedScript | null> {
  const link = path.join(home, '.dovecot.sieve');
  let source: string;
  let target = '.dovecot.sieve';
  try {
    target = readlinkSync(link);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    // EINVAL: a plain file, not a link.
  }
  try {
    source = readFileSync(link, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
  return {
    name: path.basename(target),
    source,
    loadScript: async (name, location) => {
      if (location !== 'personal' || /[/\\]/.test(name) || name.startsWith('.')) return null;
      return fs.readFile(path.join(home, 'sieve', `${name}.sieve`), 'utf8').catch(() => null);
    },
  };
}

/**
 * A user's mailbox limits: the users file's quota rules (`userdb_quota_rule`, `userdb_quota_rule2`,
 * ... as Dovecot reads them), else the `quota` setting's storage limit.
 */
export async function userQuota(
  directory: Pick<PasswdFileDirectory, 'lookup'>,
  user: string,
  defaultBytes: number,
): Promise<QuotaLimits | null> {
  const extra = (await directory.lookup(user))?.extra ?? {};
  const rules = Object.keys(extra)
    .filter((k) => /^(userdb_)?quota_rule\d*$/.test(k))
    .sort((a, b) =>
      a.replace(/^userdb_/, '').localeCompare(b.replace(/^userdb_/, ''), 'en', { numeric: true }),
    )
    .map((k) => extra[k]!);
  const own = parseQuotaRules(rules);
  const limits = { bytes: own.bytes ?? defaultBytes, messages: own.messages ?? 0 };
  return limits.bytes > 0 || limits.messages > 0 ? limits : null;
}

/**
 * Composes one delivery agent from settings: users file, homes (as ManageSieve has them), the
 * engine (the `engine` section with the spam rule), Maildirs, the stores and the outbox. Used by `deliver`, `lmtp` and `start`.
 */
export async function openDelivery(
  settings: DeliverySettings,
  log: (line: DeliveryLogLine) => void,
  outboxLog: (line: Record<string, unknown>) => void = () => {},
  engine: ConfigInput = {},
): Promise<OpenedDelivery> {
  const dataDir = path.resolve(settings.dataDir ?? defaultDataDir());
  const usersFile = path.resolve(settings.usersFile ?? path.join(dataDir, 'users'));
  // Without the users file every recipient would look unknown and bounce: a temporary failure instead.
  await fs.access(usersFile).catch(() => {
    throw new Error(`users file ${usersFile} is missing`);
  });
  const directory = new PasswdFileDirectory(usersFile);
  await directory.refresh();
  const homeOf = userHomes({
    homeDir: path.resolve(settings.homeDir ?? path.join(dataDir, 'home')),
    useUsersFileHome: settings.useUsersFileHome ?? true,
    directory,
  });
  const spam = spamRule(settings.spam);
  const quotaBytes = settings.quota ? parseStorageSize(settings.quota) : 0;
  const outboxDir = path.resolve(settings.outboxDir ?? path.join(dataDir, 'outbox'));
  const stores = await openStores(path.resolve(settings.storesFile ?? path.join(dataDir, 'delivery.sqlite')));
  const outbox = openOutbox({ ...settings, outboxDir }, dataDir, stores, outboxLog);
  const srs = srsOf(settings, dataDir);
  const deps: DeliveryDeps = {
    engine: new SieveEngine({ config: deliveryEngineConfig(engine, settings, spam) }),
    directory,
    homeOf,
    activeScript: (_user, home) => activeScript(home),
    mailboxes: (user, home) =>
      maildirMailboxes(path.join(home, 'Maildir'), {
        limits: () => userQuota(directory, user, quotaBytes),
        tempfail: settings.quotaFullTempfail ?? DELIVERY_DEFAULTS.quotaFullTempfail,
      }),
    outbox,
    stores,
    spam,
    before: await readScripts(settings.beforeScripts, 'global before'),
    after: await readScripts(settings.afterScripts, 'global after'),
    detailSeparator: settings.detailSeparator ?? DELIVERY_DEFAULTS.detailSeparator,
    detailMailbox: settings.detailMailbox ?? DELIVERY_DEFAULTS.detailMailbox,
    autocreate: settings.autocreate ?? DELIVERY_DEFAULTS.autocreate,
    reject: settings.reject ?? DELIVERY_DEFAULTS.reject,
    srs,
    ...(typeof settings.sending?.hostname === 'string' && settings.sending.hostname
      ? { hostname: settings.sending.hostname }
      : {}),
    log,
  };
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };
  const deliverOne = (request: DeliveryRequest) => track(deliver(deps, request));
  const separator = deps.detailSeparator ?? '+';
  return {
    deliver: deliverOne,
    service: {
      async checkRecipient(address) {
        const verdict = srs ? checkSrsAddress(srs, address, new Date()) : null;
        if (verdict) return verdict.valid ? 'ok' : { refuse: INVALID_SRS };
        try {
          return (await resolveRecipient(directory, address, separator)) ? 'ok' : 'unknown-user';
        } catch {
          return 'tempfail';
        }
      },
      deliver({ message, sender, recipients }) {
        // Side by side: each recipient waits on its own fsyncs. The same address given twice waits
        // for the first, whose delivery record then makes it a no-op, as one after the other would.
        const last = new Map<string, Promise<unknown>>();
        return Promise.all(
          recipients.map((r) => {
            const key = r.address.toLowerCase();
            const run = (last.get(key) ?? Promise.resolve()).then(() =>
              deliverOne({ message, sender, recipient: r.address, originalRecipient: r.original }),
            );
            last.set(key, run);
            return run;
          }),
        );
      },
    },
    dataDir,
    usersFile,
    outboxDir,
    maxMessageSize: settings.maxMessageSize ?? DELIVERY_DEFAULTS.maxMessageSize,
    async sendQueued(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([outbox.flush().catch(() => {}), timeout]);
      clearTimeout(timer);
    },
    async close() {
      await Promise.allSettled([...inFlight]);
      await outbox.close();
      await stores.close();
    },
  };
}
