import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurably } from './durable.js';
import { allDeferred, type Transport } from './transport.js';

/**
 * The transport with no relay: each message becomes `sent/ID.eml`, its envelope in two header
 * fields on top, so one can see what would have been sent. Writing the same id twice replaces
 * the file, so a message resumed after a crash still appears once.
 */
export function folderTransport(dir: string, tmpDir: string): Transport {
  const sent = join(dir, 'sent');
  let made: Promise<unknown> | undefined;
  return {
    name: `folder ${sent}`,
    async send(id, from, to, message) {
      try {
        made ??= mkdir(sent, { recursive: true, mode: 0o700 });
        await made;
        const head = `X-Envelope-From: <${from}>\r\nX-Envelope-To: ${to.map((t) => `<${t}>`).join(', ')}\r\n`;
        await writeDurably(tmpDir, join(sent, `${id}.eml`), [Buffer.from(head), message]);
        return { accepted: [...to], deferred: [], failed: [] };
      } catch (e) {
        made = undefined;
        return allDeferred(to, `cannot write into ${sent}: ${(e as Error).message}`);
      }
    },
    close: async () => {},
  };
}
