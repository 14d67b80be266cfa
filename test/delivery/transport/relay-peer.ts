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
  /** Called when a message's data starts arriving (the count of messages received so far). */
  onStream: (received: number) => void;
  /** Called on each RCPT TO before it is answered; the answer then waits `rcptDelay` ms. */
  onRcpt: (received: number) => void;
  rcptDelay: number;
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
    onStream: () => {},
    onRcpt: () => {},
    rcptDelay: 0,
    close: async () => {},
  };
  const fail = (r: { code: number; message: string }) =>
    Object.assign(new Error(r.message), { responseCode: r.code });
  const closed = new Set<string>();
  const server = new SMTPServer({
    onClose(session) {
      closed.add(session.id);
    },
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      peer.onRcpt(peer.received.length);
      const r = peer.rcpt(address.address);
      const answer = () => cb(r ? fail(r) : undefined);
      if (peer.rcptDelay > 0) setTimeout(answer, peer.rcptDelay);
      else answer();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      let first = true;
      stream.on('data', (c: Buffer) => {
        if (first) peer.onStream(peer.received.length);
        first = false;
        chunks.push(c);
      });
      stream.on('end', () => {
        // A client gone before the final dot did not send a message: nothing is received.
        if ((session as { closed?: boolean }).closed || closed.has(session.id)) return cb(new Error('gone'));
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
