import type { Response, ResponseCodeName } from '../protocol/wire.js';
import { ScriptStoreError } from '../../scripts/types.js';
import type { ServerContext } from './context.js';

export function no(text: string | Buffer, code?: ResponseCodeName): Response {
  return { kind: 'NO', code: code ? { name: code } : undefined, text };
}

export function ok(text: string | Buffer, code?: ResponseCodeName): Response {
  return { kind: 'OK', code: code ? { name: code } : undefined, text };
}

/** Thrown to end a session after its last reply (e.g. BYE for too many invalid commands) was written. */
export class EndSession extends Error {}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 of SASL data; `=` alone is the empty response. Null when malformed. */
export function decodeBase64(data: Buffer): Buffer | null {
  const s = data.toString('latin1');
  if (s === '=') return Buffer.alloc(0);
  return BASE64.test(s) ? Buffer.from(s, 'base64') : null;
}

/** One line as a quoted string; several as CRLF-terminated lines, which go out as a literal. */
export function diagnosticText(lines: string[]): string {
  return lines.length === 1 ? lines[0]! : lines.map((l) => `${l}\r\n`).join('');
}

/** A store failure in the protocol's terms (an invalid name has no response code). */
export function storeErrorResponse(e: ScriptStoreError): Response {
  return e.code === 'INVALIDNAME' ? no(e.message) : no(e.message, e.code);
}

/** NO (QUOTA/MAXSIZE) for a script over the engine's `maxScriptSize`, else null. */
export function scriptTooLarge(ctx: ServerContext, size: number): Response | null {
  const max = ctx.engine.config.maxScriptSize;
  return size > max ? no(`Script is too large (max ${max} bytes).`, 'QUOTA/MAXSIZE') : null;
}
