import type { Readable } from 'node:stream';
import type { DeliveryRequest } from './deliver.js';
import { EXIT, exitCode, type DeliveryOutcome } from './outcome.js';
import { recipientProblem } from './recipient.js';

/**
 * The sendmail-style local delivery agent (Dovecot's dovecot-lda): one message on standard input,
 * one recipient, an exit code from sysexits(3) the MTA understands. What it prints on stderr is
 * what the MTA puts into its bounce or deferral notice.
 */

export interface LdaArgs {
  /** `-f`: envelope sender; missing, the message's Return-Path, else the null sender. */
  sender?: string;
  /** `-a`: the recipient address. */
  recipient?: string;
  /** `-r`: the original recipient (ORCPT). */
  originalRecipient?: string;
  /** `-m`: folder for the implicit keep. */
  mailbox?: string;
}

export interface LdaIo {
  stdin: Readable;
  stderr: (text: string) => void;
}

/** Reads a stream, keeping at most `limit` bytes; reads it to the end either way (the MTA must not see EPIPE). */
export function readLimited(stream: Readable, limit: number): Promise<{ message: Buffer; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (size + chunk.length <= limit) chunks.push(chunk);
      size += chunk.length;
    });
    stream.on('end', () => resolve({ message: Buffer.concat(chunks), size }));
    stream.on('error', reject);
  });
}

/**
 * Removes an mbox `From sender date` line that some MTAs put in front of the message (Postfix's
 * pipe `F` flag), as dovecot-lda does; it is not part of the message.
 */
export function withoutMboxLine(raw: Buffer): Buffer {
  if (raw.length < 5 || raw.toString('latin1', 0, 5) !== 'From ') return raw;
  const eol = raw.indexOf(0x0a);
  return eol < 0 ? raw : raw.subarray(eol + 1);
}

function bare(address: string): string {
  return address.trim().replace(/^<(.*)>$/, '$1');
}

function returnPath(raw: Buffer): string {
  const head = raw.subarray(0, Math.min(raw.length, 4096)).toString('latin1');
  const m = /^return-path:[ \t]*<([^>\r\n]*)>/im.exec(head);
  return m?.[1] ?? '';
}

/** Runs one delivery; resolves to the process's exit code. */
export async function runLda(
  deliver: (request: DeliveryRequest) => Promise<DeliveryOutcome>,
  args: LdaArgs,
  io: LdaIo,
  maxMessageSize: number,
): Promise<number> {
  const recipient = args.recipient === undefined ? '' : bare(args.recipient);
  const problem = args.recipient === undefined ? 'no recipient (-a ADDRESS)' : recipientProblem(recipient);
  if (problem) {
    io.stderr(`tamis deliver: ${problem}\n`);
    return EXIT.USAGE;
  }
  let read: { message: Buffer; size: number };
  try {
    read = await readLimited(io.stdin, maxMessageSize);
  } catch (e) {
    io.stderr(`tamis deliver: cannot read the message: ${(e as Error).message}\n`);
    return EXIT.TEMPFAIL;
  }
  if (read.size > maxMessageSize) {
    io.stderr(`tamis deliver: 5.3.4 Message too big (${read.size} bytes, limit ${maxMessageSize})\n`);
    return EXIT.NOPERM;
  }
  const message = withoutMboxLine(read.message);
  const outcome = await deliver({
    message,
    sender: args.sender === undefined ? returnPath(message) : bare(args.sender),
    recipient,
    ...(args.originalRecipient ? { originalRecipient: bare(args.originalRecipient) } : {}),
    ...(args.mailbox ? { mailbox: args.mailbox } : {}),
  });
  if (outcome.kind !== 'delivered') io.stderr(`tamis deliver: ${outcome.detail}\n`);
  return exitCode(outcome);
}
