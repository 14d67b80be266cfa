import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** One message as the test relay received it. */
export interface Received {
  from: string;
  to: string[];
  data: Buffer;
}

export interface Peer {
  url: string;
  port: number;
  received: Received[];
  /** Decides the reply to each RCPT TO (null: accept) and to the end of DATA. */
  rcpt: (to: string) => { code: number; message: string } | null;
  data: (mail: Received) => { code: number; message: string } | null;
  close(): Promise<void>;
}

/** A real SMTP server on loopback, standing in for the platform's relay. */
export async function startPeer(port = 0, extra: Partial<SMTPServerOptions> = {}): Promise<Peer> {
  const peer: Peer = {
    url: '',
    port: 0,
    received: [],
    rcpt: () => null,
    data: () => null,
    close: async () => {},
  };
  const fail = (r: { code: number; message: string }) =>
    Object.assign(new Error(r.message), { responseCode: r.code });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      const r = peer.rcpt(address.address);
      cb(r ? fail(r) : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail: Received = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks),
        };
        const r = peer.data(mail);
        if (r) return cb(fail(r));
        peer.received.push(mail);
        cb();
      });
    },
    ...extra,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  peer.port = (server.server.address() as AddressInfo).port;
  peer.url = `smtp://127.0.0.1:${peer.port}`;
  peer.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return peer;
}
