import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { deliveryLogger } from '../../../src/app/delivery-log.js';
import { startLmtp, type StartedLmtp } from '../../../src/app/lmtp.js';
import { startManageSieve, type StartedManageSieve } from '../../../src/app/managesieve.js';
import { ManageSieveClient } from '../../../src/managesieve/client/index.js';
import { listMail, readMail, tempDir } from '../../delivery/helpers.js';
import { startPeer, type Peer } from '../../delivery/transport/relay-peer.js';
import { startWebmail, type StartedWebmail } from './webmail.js';

export const USER = 'alice';
export const PASSWORD = 'correct horse';
export const ADDRESS = 'alice@example.org';
export const CHROMIUM = '/usr/bin/chromium';
export const PAGE_DIR = new URL('../../../dist/webmail/page/', import.meta.url).pathname;
export const canRun = existsSync(CHROMIUM) && existsSync(join(PAGE_DIR, 'index.html'));

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** The real parts of a mail system on loopback: ManageSieve, LMTP delivery, an SMTP relay, the webmail. */
export interface Parts {
  data: string;
  managesieve: StartedManageSieve;
  lmtp: StartedLmtp;
  peer: Peer;
  webmail: StartedWebmail;
  maildir: string;
  /** Delivers one message to alice through LMTP; returns its Message-ID. */
  deliver(from: string, subject: string, body?: string): Promise<string>;
  /** A logged-in ManageSieve client for alice. */
  sieve(): Promise<ManageSieveClient>;
  /** Messages the relay received for `to`, waiting up to `ms` for at least `count`. */
  sentTo(to: string, count?: number, ms?: number): Promise<string[]>;
  inbox(): Promise<string[]>;
  close(): Promise<void>;
}

let sequence = 0;

export async function startParts(): Promise<Parts> {
  const data = tempDir('tamis-webmail-e2e-');
  writeFileSync(join(data, 'users'), `${USER}:{PLAIN}${PASSWORD}::::::\n`);
  const peer = await startPeer();
  const managesieve = await startManageSieve(
    { dataDir: data, listen: '127.0.0.1:0', tls: { enabled: false }, insecureAuth: true, hashWorkers: 0 },
    quiet,
  );
  const lmtp = await startLmtp(
    { dataDir: data, relay: peer.url, lmtp: { listen: '127.0.0.1:0' } },
    deliveryLogger(join(data, 'lmtp.log'), 'lmtp'),
  );
  const webmail = await startWebmail({
    managesieve: `127.0.0.1:${managesieve.port}`,
    pageDir: PAGE_DIR,
  });
  const maildir = join(data, 'home', USER, 'Maildir');
  const transport = nodemailer.createTransport({
    lmtp: true,
    host: '127.0.0.1',
    port: lmtp.port,
    ignoreTLS: true,
  });

  return {
    data,
    managesieve,
    lmtp,
    peer,
    webmail,
    maildir,
    async deliver(from, subject, body = 'Bonjour,\r\nun message de test.\r\n') {
      const id = `<e2e-${++sequence}-${Date.now()}@example.net>`;
      const info = await transport.sendMail({
        envelope: { from, to: [ADDRESS] },
        raw:
          `From: ${from}\r\nTo: ${ADDRESS}\r\nSubject: ${subject}\r\nMessage-ID: ${id}\r\n` +
          `Date: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n` +
          `Content-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
      });
      if (!info.accepted.includes(ADDRESS))
        throw new Error(`LMTP refused the message: ${JSON.stringify(info)}`);
      return id;
    },
    async sieve() {
      const c = await ManageSieveClient.connect('127.0.0.1', managesieve.port, { tls: 'none' });
      await c.authenticate('PLAIN', USER, PASSWORD);
      return c;
    },
    async sentTo(to, count = 1, ms = 10_000) {
      const pick = () => peer.received.filter((m) => m.to.includes(to)).map((m) => m.data.toString('latin1'));
      for (let waited = 0; pick().length < count && waited < ms; waited += 100) {
        await new Promise((r) => setTimeout(r, 100));
      }
      return pick();
    },
    inbox: () => readMail(maildir),
    async close() {
      await webmail.close();
      await lmtp.close();
      await managesieve.server.close();
      await peer.close();
    },
  };
}

export { listMail };
