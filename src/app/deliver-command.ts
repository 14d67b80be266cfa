import { runLda } from '../delivery/lda.js';
import { EXIT } from '../delivery/outcome.js';
import { loadDeliverySettings, type DeliverySettings } from './delivery-settings.js';
import { openDelivery } from './delivery.js';
import { deliveryLogger } from './delivery-log.js';

/** `tamis deliver`: settings from the file and the options, one delivery, the exit code. */
export async function runDeliver(opts: {
  config?: string;
  data?: string;
  users?: string;
  f?: string;
  r?: string;
  a?: string;
  m?: string;
  relay?: string;
}): Promise<number> {
  const base: DeliverySettings = opts.config ? await loadDeliverySettings(opts.config) : {};
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
  const delivery = await openDelivery(settings, logger.delivery, logger.outbox);
  try {
    return await runLda(
      delivery.deliver,
      { sender: opts.f, recipient: opts.a, originalRecipient: opts.r, mailbox: opts.m },
      { stdin: process.stdin, stderr: (t) => process.stderr.write(t) },
      delivery.maxMessageSize,
    );
  } finally {
    await delivery.close();
    logger.flush();
  }
}
