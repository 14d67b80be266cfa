// Run as its own process by outbox.test.ts, so that it can be killed with SIGKILL mid-queue.
// Usage: outbox-child.ts DIR RELAY_URL COUNT (COUNT 0: only resume what is queued).
import { createOutbox } from '../../../src/delivery/transport/index.js';

const [dir, relay, count] = process.argv.slice(2);
const outbox = createOutbox({ dir: dir!, relay: relay!, retry: { first: 0.2, max: 0.5 } });
for (let i = 0; i < Number(count); i++) {
  // A few hundred kilobytes, so that each message takes a real transfer.
  const message = Buffer.from(
    `Subject: m${i}\r\nMessage-ID: <m${i}@test>\r\n\r\n${`body ${i}\r\n`.repeat(10_000)}`,
  );
  await outbox.enqueue('alice', {
    kind: 'redirect',
    from: 'sender@example.org',
    to: ['bob@example.net'],
    message,
  });
}
process.stdout.write('queued\n');
await outbox.flush();
await outbox.close();
process.stdout.write('done\n');
