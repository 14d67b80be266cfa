// Run as its own process by quota.test.ts: COUNT deliveries of SIZE bytes into ROOT under a quota,
// so that two processes write one maildirsize at the same time. Prints how many were refused.
import { maildirMailboxes } from '../../src/delivery/maildir-mailboxes.js';
import { QuotaExceededError } from '../../src/delivery/ports.js';

const [root, count, size, bytes] = process.argv.slice(2);
const boxes = maildirMailboxes(root!, {
  limits: async () => ({ bytes: Number(bytes), messages: 0 }),
  tempfail: false,
});
let refused = 0;
for (let i = 0; i < Number(count); i++) {
  const head = `Subject: ${process.pid} ${i}\r\n\r\n`;
  const message = Buffer.from(head + 'x'.repeat(Number(size) - head.length));
  try {
    await boxes.store({ mailbox: 'INBOX', flags: [], create: true, message });
  } catch (e) {
    if (!(e instanceof QuotaExceededError)) throw e;
    refused++;
  }
}
process.stdout.write(`${refused}\n`);
