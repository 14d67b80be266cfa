/** Script name rules (RFC 5804 section 1.6, Net-Unicode of RFC 5198), plus what keeps names safe as file names. */

export const MAX_NAME_CHARS = 256;
/**
 * Longest name in UTF-8 bytes: with the `.sieve` suffix it must fit in one file name (NAME_MAX, 255
 * bytes on Linux and the BSDs). A longer name is refused for good rather than failing at write time.
 */
export const MAX_NAME_BYTES = 255 - '.sieve'.length;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8WithoutBom = new TextDecoder('utf-8', { fatal: true });

/** Decodes bytes as strict UTF-8; null when they are not valid UTF-8. A leading BOM is kept unless `stripBom`. */
export function decodeUtf8(data: Buffer, stripBom = false): string | null {
  try {
    return (stripBom ? utf8WithoutBom : utf8).decode(data);
  } catch {
    return null;
  }
}

/**
 * Why a script name is unacceptable, or null when it is fine. Beyond the RFC this refuses `/`:
 * names become `<name>.sieve` file names, so with no `/` and a fixed suffix none can leave its folder.
 */
export function scriptNameProblem(name: string): string | null {
  if (name.length === 0) return 'empty name';
  let chars = 0;
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    chars++;
    if (cp <= 0x1f || cp === 0x7f || (cp >= 0x80 && cp <= 0x9f)) return 'control character';
    if (cp === 0x2028 || cp === 0x2029) return 'line or paragraph separator';
    if (cp >= 0xd800 && cp <= 0xdfff) return 'unpaired surrogate';
    if (cp === 0x2f) return "'/' is not allowed";
  }
  if (chars > MAX_NAME_CHARS) return `longer than ${MAX_NAME_CHARS} characters`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `longer than ${MAX_NAME_BYTES} bytes in UTF-8`;
  if (name.normalize('NFC') !== name) return 'not in Unicode normalization form C';
  return null;
}

/** Decodes and checks a name received on the wire. */
export function parseScriptName(data: Buffer): { name: string } | { problem: string } {
  const name = decodeUtf8(data);
  if (name === null) return { problem: 'not valid UTF-8' };
  const problem = scriptNameProblem(name);
  return problem ? { problem } : { name };
}

/** A name made printable for a message (control characters shown as '?', as Dovecot does). */
export function printableName(data: Buffer): string {
  return data.toString('utf8').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}
