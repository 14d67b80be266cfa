import type tls from 'node:tls';
import type { Token, WireLimits } from './wire.js';

export type TlsMode = 'none' | 'starttls' | 'implicit';

export interface ConnectOptions {
  tls?: TlsMode;
  /** Passed to `tls.connect` (ca, rejectUnauthorized, servername, ...). */
  tlsOptions?: tls.ConnectionOptions;
  /** Connection (TCP + TLS + greeting) timeout in ms; default 30000. */
  connectTimeoutMs?: number;
}

export interface ManageSieveClientOptions extends Partial<WireLimits> {
  /** Send `{N+}` literals (default). When false, `{N}` is sent, still without waiting: ManageSieve has no continuation. */
  nonSynchronizingLiterals?: boolean;
  /** Idle timeout for a command's answer in ms; 0 (default) waits forever. */
  timeoutMs?: number;
  /** Re-read capabilities with CAPABILITY after AUTHENTICATE/UNAUTHENTICATE (default true): OWNER etc. appear then. */
  refreshCapabilities?: boolean;
  /** Receives every line sent ('C') and received ('S'); AUTHENTICATE data is masked. */
  debug?: (direction: 'C' | 'S', line: string) => void;
}

/** The final OK of a command. */
export interface ManageSieveResponse {
  code?: string;
  codeArgs?: string[];
  text: string;
  /** Data lines that came before the OK. */
  lines: Token[][];
}

export interface ScriptInfo {
  name: string;
  active: boolean;
}
