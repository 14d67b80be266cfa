/** Checks on request bodies and parameters: the right JSON types, sizes and characters, or a 400. */
import { ApiError, badInput } from '../errors.js';

export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badInput('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

type Kind = 'string' | 'boolean' | 'object';
type KindOf<K extends Kind> = K extends 'string'
  ? string
  : K extends 'boolean'
    ? boolean
    : Record<string, unknown>;

/** A required field of the given JSON type. */
export function field<K extends Kind>(o: Record<string, unknown>, name: string, kind: K): KindOf<K> {
  const v = optionalField(o, name, kind);
  if (v === undefined) throw badInput(`${name} is required`, { field: name });
  return v;
}

export function optionalField<K extends Kind>(
  o: Record<string, unknown>,
  name: string,
  kind: K,
): KindOf<K> | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  const ok = kind === 'object' ? v !== null && typeof v === 'object' && !Array.isArray(v) : typeof v === kind;
  if (!ok)
    throw badInput(`${name} must be ${kind === 'object' ? 'an object' : `a ${kind}`}`, { field: name });
  return v as KindOf<K>;
}

/** A text's size in UTF-8 octets, refused with 413 beyond `max`. */
export function limitSize(text: string, max: number, what: string): void {
  if (text.length > max || Buffer.byteLength(text, 'utf8') > max)
    throw new ApiError(413, 'too_large', `${what} is larger than ${max} octets`);
}

const MAX_NAME_LENGTH = 512;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A script name as RFC 5804 §1.6 allows it: no control characters, no line or paragraph separators;
 * its meaning (paths, characters a store cannot hold) is for the ManageSieve server to judge.
 */
export function scriptName(name: string): string {
  if (!name || name.length > MAX_NAME_LENGTH)
    throw new ApiError(400, 'invalid_name', `a script name is 1 to ${MAX_NAME_LENGTH} characters`);
  if (/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(name) || LONE_SURROGATE.test(name))
    throw new ApiError(400, 'invalid_name', 'a script name may not hold control characters');
  return name;
}
