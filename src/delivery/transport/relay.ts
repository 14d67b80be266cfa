import { lazily } from '../lazy.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { allDeferred, type Refusal, type SendResult, type Transport } from './transport.js';

const nodemailer = lazily<typeof import('nodemailer')>('nodemailer');

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

const reasonOf = (e: SmtpError) => e.response?.trim() || e.message;
const permanent = (e: SmtpError) =>
  e.responseCode !== undefined && e.responseCode >= 500 && e.responseCode < 600;

/** Sorts the recipients a relay refused into deferred (4xx or no answer) and failed (5xx). */
function refusals(
  errors: SmtpError[] | undefined,
  fallback: string[],
  e?: SmtpError,
): [Refusal[], Refusal[]] {
  const deferred: Refusal[] = [];
  const failed: Refusal[] = [];
  const seen = new Set<string>();
  for (const err of errors ?? []) {
    if (!err.recipient) continue;
    seen.add(err.recipient);
    (permanent(err) ? failed : deferred).push({ to: err.recipient, reason: reasonOf(err) });
  }
  for (const to of fallback) {
    if (seen.has(to)) continue;
    const r = { to, reason: e ? reasonOf(e) : 'no answer' };
    (e && permanent(e) ? failed : deferred).push(r);
  }
  return [deferred, failed];
}

export interface RelayOptions {
  /** `smtp://[user:pass@]host:port` or `smtps://...`; query parameters are nodemailer options. */
  url: string;
  /** Seconds to wait for the relay to connect and to answer each command. */
  timeout?: number;
}

/** SMTP to the configured relay with nodemailer: a small pool of connections, reused across messages. */
export function relayTransport(options: RelayOptions): Transport {
  const url = new URL(options.url);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`relay ${JSON.stringify(options.url)}: only smtp:// and smtps:// are understood`);
  }
  const ms = (options.timeout ?? 60) * 1000;
  const base: SMTPTransport.Options = {
    pool: true,
    maxConnections: 2,
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms * 5,
  } as SMTPTransport.Options;
  // The URL sets host, port, TLS and credentials (and `tls.*` query options); the rest is ours.
  const transport = nodemailer().createTransport({ ...base, url: options.url } as never);
  const shown = `${url.protocol}//${url.host}`;
  return {
    name: `relay ${shown}`,
    async send(_id, from, to, message) {
      try {
        const info = (await transport.sendMail({
          envelope: { from: from === '' ? false : from, to },
          raw: message,
        } as never)) as SMTPTransport.SentMessageInfo & { rejectedErrors?: SmtpError[] };
        const accepted = (info.accepted as string[]).map(String);
        const rest = to.filter((t) => !accepted.includes(t));
        const [deferred, failed] = refusals(info.rejectedErrors, rest);
        return { accepted, deferred, failed } satisfies SendResult;
      } catch (err) {
        const e = err as SmtpError;
        if (e.responseCode === undefined && !e.rejectedErrors) {
          return allDeferred(to, `${shown}: ${e.message}`, true);
        }
        const [deferred, failed] = refusals(e.rejectedErrors, to, e);
        return { accepted: [], deferred, failed };
      }
    },
    close: async () => {
      transport.close();
    },
  };
}
