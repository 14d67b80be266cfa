import type { Socket } from 'node:net';
import type { InputReader } from '../../protocol/reader.js';
import type { Response, Token } from '../../protocol/wire.js';
import type { ServerContext } from '../context.js';

/** What a command handler may use of its session. */
export interface CommandSession {
  readonly ctx: ServerContext;
  readonly reader: InputReader;
  readonly address: string;
  /** Replaced by the TLS socket after STARTTLS. */
  socket: Socket;
  /** TLS is active on the connection. */
  tls: boolean;
  /** The logged-in user, null before login. */
  readonly user: string | null;
  /** Failed AUTHENTICATE commands on this connection. */
  authFailures: number;
  write(data: Buffer): boolean;
  reply(response: Response): void;
  /** Writes and waits for the socket to drain when its buffer is full. */
  send(data: Buffer): Promise<void>;
  /** Answers an invalid command with NO; too many of them end the session. */
  bad(text: string): void;
  sendCapabilities(): Promise<void>;
  /** Plaintext mechanisms may be used: TLS, or a connection the server trusts (loopback). */
  plaintextAllowed(): boolean;
  loggedIn(user: string): void;
  loggedOut(): void;
}

/** Runs one command; resolves false when the session must end. */
export type CommandHandler = (session: CommandSession, args: Token[]) => Promise<boolean> | boolean;

/** In which login state a command may be given. */
export type CommandState = 'any' | 'unauthenticated' | 'authenticated';

/** Argument shapes: 's' string, 'n' number (atom), '?s' optional trailing string. */
export type ArgShape = 's' | 'n' | '?s';

export interface CommandSpec {
  state: CommandState;
  args: ArgShape[];
  run: CommandHandler;
}

/** The bytes of string argument `i` (the shape check has run). */
export function stringArg(args: Token[], i: number): Buffer {
  return (args[i] as { value: Buffer }).value;
}
