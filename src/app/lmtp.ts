import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { ConfigInput } from '../index.js';
import { createLmtpServer } from '../delivery/lmtp.js';
import { useStoreThreads } from '../maildir/durable-write.js';
import { DELIVERY_DEFAULTS, type DeliverySettings } from './delivery-settings.js';
import { openDelivery, type OpenedDelivery } from './delivery.js';
import type { DeliveryLogger } from './delivery-log.js';
import { parseListen } from './managesieve.js';

export interface StartedLmtp {
  /** `HOST:PORT`, or the socket path. */
  address: string;
  host?: string;
  port?: number;
  delivery: OpenedDelivery;
  /** Stops accepting, lets deliveries in flight finish, closes the stores. */
  close(): Promise<void>;
}

/** Starts the LMTP service on `settings.lmtp.listen` (default 127.0.0.1:2424) or a Unix socket path. */
export async function startLmtp(
  settings: DeliverySettings,
  logger: DeliveryLogger,
  engine: ConfigInput = {},
): Promise<StartedLmtp> {
  const delivery = await openDelivery(settings, logger.delivery, logger.outbox, engine);
  // A service delivers many messages: each is stored by one job on a thread (see durable-write.ts).
  const releaseThreads = useStoreThreads();
  const l = settings.lmtp ?? {};
  const server = createLmtpServer(delivery.service, {
    maxMessageSize: delivery.maxMessageSize,
    maxClients: l.maxClients,
    maxRecipients: l.maxRecipients,
    socketTimeout: l.socketTimeout,
    logger: {
      info: (o, m) => logger.info(`${m} ${JSON.stringify(o)}`),
      warn: (o, m) => logger.warn(`${m} ${JSON.stringify(o)}`),
    },
  });
  const listen = l.listen ?? DELIVERY_DEFAULTS.lmtpListen;
  const isSocket = listen.includes('/');
  let address: string;
  let host: string | undefined;
  let port: number | undefined;
  try {
    if (isSocket) {
      // A socket left by a process that died would refuse the bind.
      await fs.rm(listen, { force: true });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listen, () => resolve());
      });
      address = listen;
    } else {
      const spec = parseListen(listen);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(spec.port, spec.host, () => resolve());
      });
      const a = server.server.address() as AddressInfo;
      host = a.address;
      port = a.port;
      address = `${host}:${port}`;
    }
  } catch (e) {
    await delivery.close();
    await releaseThreads();
    throw e;
  }
  server.on('error', (e: Error) => logger.error(`lmtp: ${e.message}`));
  logger.info(`lmtp: listening on ${address}`);
  return {
    address,
    host,
    port,
    delivery,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await delivery.close();
      await releaseThreads();
      if (isSocket) await fs.rm(listen, { force: true });
    },
  };
}
