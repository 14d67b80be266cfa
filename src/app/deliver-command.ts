import { runLda } from '../delivery/lda.js';
import { EXIT } from '../delivery/outcome.js';
import { ConfigError, loadConfig, type TamisConfig } from './config-file.js';
import type { DeliverySettings } from './delivery-settings.js';
import { openDelivery } from './delivery.js';
import { deliveryLogger } from './delivery-log.js';

/** How long `tamis deliver` waits for its outgoing mail to leave before it exits anyway. */
const SEND_BEFORE_EXIT_MS = 20_000;

/** The options of `tamis deliver`, named as on its command line (`-f`, `-r`, `-a`, `-m`). */
export interface DeliverOptions {
  config?: string;
  data?: string;
  users?: string;
  f?: string;
  r?: string;
  a?: string;
  m?: string;
  relay?: string;
}

/** `tamis deliver`: settings from the file and the options, one delivery, the exit code. */
export async function runDeliver(opts: DeliverOptions): Promise<number> {
  let file: TamisConfig;
  try {
    file = opts.config ? loadConfig(opts.config) : {};
  } catch (e) {
    // A broken setup, not a broken message: the MTA keeps the mail and the postmaster sees why.
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`tamis deliver: ${e.message}\n`);
    return EXIT.USAGE;
  }
  const base: DeliverySettings = file.delivery ?? {};
  const settings: DeliverySettings = {
    ...base,
    dataDir: opts.data ?? base.dataDir,
    usersFile: opts.users ?? base.usersFile,
    relay: opts.relay ?? base.relay,
  };
  const logger = deliveryLogger(settings.logFile ?? 'stderr', 'lda');
  if (opts.a === undefined) {
    process.stderr.write('tamis deliver: no recipient (-a ADDRESS)\n');
    return EXIT.USAGE;
  }
  const delivery = await openDelivery(settings, logger.delivery, logger.outbox, file.engine);
  try {
    const code = await runLda(
      delivery.deliver,
      { sender: opts.f, recipient: opts.a, originalRecipient: opts.r, mailbox: opts.m },
      { stdin: process.stdin, stderr: (t) => process.stderr.write(t) },
      delivery.maxMessageSize,
    );
    // The message is stored and what it sends is queued on disk, whatever happens now; sending
    // before exiting is what an MTA expects of an LDA (dovecot-lda runs sendmail itself).
    if (code === EXIT.OK) await delivery.sendQueued(SEND_BEFORE_EXIT_MS);
    return code;
  } finally {
    await delivery.close();
    logger.flush();
  }
}
