import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { DeliveryOutcome } from './outcome.js';
import { replyCode } from './outcome.js';

/** What the LMTP frontend needs from the delivery core. */
export interface DeliveryService {
  /** Checked at RCPT TO, so unknown users are refused before DATA; `{ refuse }` is a 550 with that text. */
  checkRecipient(address: string): Promise<'ok' | 'unknown-user' | 'tempfail' | { refuse: string }>;
  /** One outcome per recipient, in their order. Must not throw; a failure is a `tempfail` outcome. */
  deliver(input: {
    message: Buffer;
    sender: string;
    recipients: Array<{ address: string; original?: string }>;
    session: string;
  }): Promise<DeliveryOutcome[]>;
}

export interface LmtpOptions {
  /** Largest message accepted, in bytes (advertised with SIZE). Default 50 MB. */
  maxMessageSize?: number;
  /** Most recipients in one transaction. Default 1000. */
  maxRecipients?: number;
  /** Concurrent connections. Default 500. */
  maxClients?: number;
  /** Idle time before a connection is closed, in ms. Default 5 minutes. */
  socketTimeout?: number;
  /** How long a shutdown waits for open connections, in ms. Default 30 s. */
  closeTimeout?: number;
  /** Host name in the greeting. Default the machine's. */
  name?: string;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export const DEFAULT_LMTP_OPTIONS = {
  maxMessageSize: 50 * 1024 * 1024,
  maxRecipients: 1000,
  maxClients: 500,
  socketTimeout: 5 * 60_000,
  closeTimeout: 30_000,
} as const;

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** Reads the DATA stream, keeping at most `limit` bytes; says whether it went over. */
function readMessage(
  stream: SMTPServerDataStream,
  limit: number,
): Promise<{ message: Buffer; tooBig: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    stream.on('end', () =>
      resolve({ message: Buffer.concat(chunks), tooBig: size > limit || stream.sizeExceeded }),
    );
    stream.on('error', reject);
  });
}

/**
 * An LMTP server (RFC 2033) over smtp-server's LMTP mode: PIPELINING, ENHANCEDSTATUSCODES, 8BITMIME and
 * SIZE; no AUTH or STARTTLS (LMTP is for the local MTA). Each recipient gets its own reply after DATA.
 */
export function createLmtpServer(service: DeliveryService, options: LmtpOptions = {}): SMTPServer {
  const o = { ...DEFAULT_LMTP_OPTIONS, ...options };
  const log = options.logger;
  return new SMTPServer({
    lmtp: true,
    name: options.name,
    size: o.maxMessageSize,
    // smtp-server then answers 552 5.3.4 for every recipient of an oversized message itself.
    rejectOversized: true,
    maxClients: o.maxClients,
    socketTimeout: o.socketTimeout,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSMTPUTF8: true,
    hideDSN: true,
    hideENHANCEDSTATUSCODES: false,
    // On shutdown, deliveries in flight get this long to finish before connections are cut.
    closeTimeout: o.closeTimeout,
    logger: false,
    onRcptTo(address, session: SMTPServerSession, callback) {
      if (session.envelope.rcptTo.length >= o.maxRecipients) {
        callback(smtpError(452, 'Too many recipients'));
        return;
      }
      service.checkRecipient(address.address).then(
        (answer) => {
          if (answer === 'ok') callback();
          else if (answer === 'unknown-user')
            callback(smtpError(550, `<${address.address}> User doesn't exist`));
          else if (typeof answer === 'object')
            callback(smtpError(550, `<${address.address}> ${answer.refuse}`));
          else callback(smtpError(451, `<${address.address}> Temporary user lookup failure`));
        },
        () => callback(smtpError(451, `<${address.address}> Temporary user lookup failure`)),
      );
    },
    onData(stream, session, callback) {
      readMessage(stream, o.maxMessageSize)
        .then(async ({ message, tooBig }) => {
          const recipients = session.envelope.rcptTo.map((r) => ({
            address: r.address,
            original:
              typeof r.args === 'object' && r.args && 'ORCPT' in r.args ? String(r.args.ORCPT) : undefined,
          }));
          if (tooBig) return recipients.map(() => smtpError(552, 'Message too big'));
          const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const outcomes = await service.deliver({ message, sender, recipients, session: session.id });
          return outcomes.map((outcome, i) => {
            const rcpt = recipients[i]!.address;
            const code = replyCode(outcome);
            return code === 250
              ? `<${rcpt}> ${outcome.detail}`
              : smtpError(code, `<${rcpt}> ${outcome.detail}`);
          });
        })
        .then(
          (replies) => callback(null, replies),
          (err: unknown) => {
            log?.warn({ err: String(err), session: session.id }, 'lmtp: delivery failed');
            callback(smtpError(451, 'Temporary failure, try again later'));
          },
        );
    },
  });
}
