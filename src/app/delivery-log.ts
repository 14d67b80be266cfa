import pino from 'pino';
import type { DeliveryLogLine } from '../delivery/deliver.js';
import type { Done } from '../delivery/execute/index.js';

/** What one thing done reads like in the log message, close to Dovecot's wording. */
function describe(d: Done): string {
  switch (d.what) {
    case 'stored':
      return `stored mail into mailbox '${d.detail.replace(/ \(.*$/, '')}'`;
    case 'fallback':
      return `stored mail into mailbox '${d.detail.replace(/ \(.*$/, '')}' (fallback: ${d.detail.replace(/^.*?: /, '')})`;
    case 'redirected':
      return `forwarded ${d.detail}`;
    case 'vacation':
      return `sent vacation response: ${d.detail}`;
    case 'vacation-suppressed':
      return `discarded vacation response: ${d.detail}`;
    case 'discarded':
      return 'marked message to be discarded';
    case 'rejected':
      return `rejected: ${d.detail}`;
    case 'notified':
      return `notify: ${d.detail}`;
    case 'skipped':
      return `skipped: ${d.detail}`;
  }
}

export interface DeliveryLogger {
  /** One line per delivery: user, msgid, size, spam score, outcome and each thing done. */
  delivery(line: DeliveryLogLine): void;
  /** The outbox's own lines (queued, sent, deferred, held, bounced). */
  outbox(line: Record<string, unknown>): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Writes out what is buffered (before the process exits). */
  flush(): void;
}

/** A pino logger to `stdout`, `stderr` or a file (appended). `service` is `lda` or `lmtp`. */
export function deliveryLogger(dest: string, service: string): DeliveryLogger {
  const stream =
    dest === 'stdout'
      ? pino.destination({ fd: 1, sync: true })
      : dest === 'stderr'
        ? pino.destination({ fd: 2, sync: true })
        : pino.destination({ dest, sync: false, mkdir: true, append: true });
  const log = pino({ base: { service }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
  return {
    delivery(line) {
      const actions = line.done.map(describe);
      const what = actions.length ? actions.join('; ') : line.outcome;
      const fields = { ...line, done: undefined, actions };
      const msg = `${service}(${line.user ?? line.recipient}): msgid=${line.msgid ?? 'unspecified'}: ${what}`;
      if (line.outcome === 'delivered') log.info(fields, msg);
      else {
        const why = line.errors.at(-1);
        log.warn(fields, actions.length || why ? `${msg} (${line.outcome}${why ? `: ${why}` : ''})` : msg);
      }
    },
    outbox: (line) => log.info({ outbox: line }, `outbox: ${String(line.event ?? '')}`),
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
    flush: () => stream.flushSync(),
  };
}
