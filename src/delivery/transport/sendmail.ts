import { spawn } from 'node:child_process';
import { allDeferred, type Transport } from './transport.js';

// sysexits.h: what a sendmail-compatible program's exit status says about the recipients.
const PERMANENT_EXITS = new Map([
  [64, 'usage error'],
  [65, 'data format error'],
  [67, 'addressee unknown'],
  [68, 'host name unknown'],
  [77, 'permission denied'],
]);

export interface SendmailOptions {
  /** The program, e.g. /usr/sbin/sendmail (Postfix, Exim, msmtp...). */
  path: string;
  /** Seconds the program may take before it is killed and the message deferred. */
  timeout?: number;
}

/**
 * Hands each message to a sendmail-compatible program: `sendmail -i -f SENDER -- RCPT...` with the
 * message on standard input. Exit 0 is accepted for every recipient; EX_TEMPFAIL and anything
 * unknown (a crash, a signal, a timeout) is deferred; the permanent sysexits fail the recipients.
 */
export function sendmailTransport(options: SendmailOptions): Transport {
  const ms = (options.timeout ?? 120) * 1000;
  return {
    name: `sendmail ${options.path}`,
    send: (_id, from, to, message) =>
      new Promise((resolve) => {
        const args = ['-i', '-f', from === '' ? '<>' : from, '--', ...to];
        let stderr = '';
        let settled = false;
        const done = (r: ReturnType<typeof allDeferred>) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(r);
        };
        const child = spawn(options.path, args, { stdio: ['pipe', 'ignore', 'pipe'] });
        const timer = setTimeout(() => child.kill('SIGKILL'), ms);
        child.stderr.on('data', (d: Buffer) => {
          if (stderr.length < 2000) stderr += d.toString('utf8');
        });
        child.on('error', (e) => done(allDeferred(to, `${options.path}: ${e.message}`, true)));
        // A program that exits without reading all of its input must not crash us (EPIPE).
        child.stdin.on('error', () => {});
        child.stdin.end(message);
        child.on('close', (code, signal) => {
          const detail = stderr.trim().split('\n').slice(-1)[0] ?? '';
          const why = `${options.path} exited ${signal ?? code}${detail ? `: ${detail}` : ''}`;
          if (code === 0) done({ accepted: [...to], deferred: [], failed: [] });
          else if (code !== null && PERMANENT_EXITS.has(code)) {
            done({
              accepted: [],
              deferred: [],
              failed: to.map((t) => ({ to: t, reason: `${why} (${PERMANENT_EXITS.get(code)})` })),
            });
          } else done(allDeferred(to, why));
        });
      }),
    close: async () => {},
  };
}
