import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createOutbox, outboxOptionsFrom, Srs, type ManagedOutbox } from '../delivery/transport/index.js';
import { openSqliteStores } from '../stores/sqlite/index.js';
import type { DeliveryStores } from '../stores/types.js';
import type { DeliverySettings } from './delivery-settings.js';

/** The stores delivery remembers through: SQLite, shared by every delivery process on this host. */
export async function openStores(file: string): Promise<DeliveryStores> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  return openSqliteStores(file);
}

/**
 * The outbox from the `sending` settings, with the top-level `relay` and `outboxDir` (and so
 * `--relay`) taking precedence: SMTP to the relay, or else the outbox's `sent/` folder.
 */
export function openOutbox(
  settings: DeliverySettings,
  dataDir: string,
  stores: DeliveryStores,
  log: (line: Record<string, unknown>) => void,
): ManagedOutbox {
  const section: Record<string, unknown> = {
    ...settings.sending,
    ...(settings.relay ? { relay: settings.relay } : {}),
    ...(settings.outboxDir ? { outbox: settings.outboxDir } : {}),
  };
  return createOutbox(outboxOptionsFrom(section, dataDir, { stores, log }));
}

/** The SRS of the `sending.srs` settings, which also checks the bounces that come back; null without a secret. */
export function srsOf(settings: DeliverySettings, dataDir: string): Srs | null {
  const options = outboxOptionsFrom({ ...settings.sending }, dataDir).srs;
  return options ? new Srs(options) : null;
}
