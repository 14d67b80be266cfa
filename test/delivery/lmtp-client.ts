import { connect } from 'node:net';
import { join } from 'node:path';
import { deliveryLogger } from '../../src/app/delivery-log.js';
import type { DeliverySettings } from '../../src/app/delivery-settings.js';
import { startLmtp, type StartedLmtp } from '../../src/app/lmtp.js';
import type { Peer } from './transport/relay-peer.js';

export interface LmtpAnswer {
  /** The reply to each RCPT TO, in order. */
  rcpt: string[];
  /** One reply per accepted recipient after DATA, in order. */
  data: string[];
}

/** A plain LMTP client (one command at a time), to read the exact replies of the service. */
export function lmtpSend(port: number, from: string, to: string[], message: Buffer): Promise<LmtpAnswer> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    sock.setTimeout(15_000, () => {
      sock.destroy();
      reject(new Error(`no complete answer: ${buf}`));
    });
    let buf = '';
    const answer: LmtpAnswer = { rcpt: [], data: [] };
    const steps: Array<() => void> = [];
    let waiting = 1; // the greeting
    let onDone: (line: string) => void = () => {};
    const next = () => steps.shift()?.();
    const send = (line: string | Buffer, expect: number, each: (l: string) => void) => {
      waiting = expect;
      onDone = each;
      sock.write(line);
    };
    steps.push(() => send(`LHLO test\r\n`, 1, () => {}));
    steps.push(() => send(`MAIL FROM:<${from}>\r\n`, 1, () => {}));
    for (const rcpt of to) steps.push(() => send(`RCPT TO:<${rcpt}>\r\n`, 1, (l) => answer.rcpt.push(l)));
    steps.push(() => {
      const accepted = answer.rcpt.filter((l) => l.startsWith('2')).length;
      if (accepted === 0) {
        sock.end('QUIT\r\n');
        resolve(answer);
        return;
      }
      send('DATA\r\n', 1, () => {
        const body = message.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
        send(Buffer.from(body + (body.endsWith('\r\n') ? '' : '\r\n') + '.\r\n', 'latin1'), accepted, (l) =>
          answer.data.push(l),
        );
      });
    });
    steps.push(() => {
      sock.end('QUIT\r\n');
      resolve(answer);
    });
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let eol: number;
      while ((eol = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, eol);
        buf = buf.slice(eol + 2);
        if (/^\d{3}-/.test(line)) continue; // a multi-line reply goes on
        const done = --waiting === 0;
        const each = onDone;
        each(line);
        // A step that sent the next command itself (DATA, then the message) has set a new handler.
        if (done && onDone === each) next();
      }
    });
    sock.on('error', reject);
    // A server that dies may close the connection without an error; after an answer this does nothing.
    sock.on('close', () => reject(new Error(`connection closed before a complete answer: ${buf}`)));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `peer` has received `count` messages (at most 10 s). */
export async function waitForMail(peer: Peer, count: number): Promise<void> {
  for (let i = 0; i < 100 && peer.received.length < count; i++) await sleep(100);
}

/**
 * LMTP services over the data folder `data()` that send through the relay `peer()`; each gets its
 * own log `lmtpN.log`. `closeAll` stops them.
 */
export function relayedLmtp(data: () => string, peer: () => Peer, base: DeliverySettings = {}) {
  const started: StartedLmtp[] = [];
  return {
    async start(extra: DeliverySettings = {}): Promise<StartedLmtp> {
      const log = join(data(), `lmtp${started.length}.log`);
      const s = await startLmtp(
        {
          dataDir: data(),
          relay: peer().url,
          lmtp: { listen: '127.0.0.1:0' },
          logFile: log,
          ...base,
          ...extra,
        },
        deliveryLogger(log, 'lmtp'),
      );
      started.push(s);
      return s;
    },
    async closeAll(): Promise<void> {
      for (const s of started) await s.close();
    },
  };
}
