/**
 * The MIME entity given to `vacation :mime` when a reply has an HTML version: multipart/alternative
 * with the text part first (RFC 2046 §5.1.4: the last part is the preferred one). Parts are 8bit
 * while every line is short enough for SMTP, quoted-printable otherwise.
 */

const MAX_8BIT_LINE = 900;

export interface ReplyParts {
  text: string;
  html?: string;
}

function encodePart(type: string, content: string, eol: string): string {
  const lines = content.split('\n');
  const long = lines.some((l) => Buffer.byteLength(l, 'utf8') > MAX_8BIT_LINE);
  const head = `Content-Type: ${type}; charset=utf-8${eol}Content-Transfer-Encoding: ${long ? 'quoted-printable' : '8bit'}${eol}${eol}`;
  return head + (long ? lines.map(quotedPrintableLine).join(eol) : lines.join(eol));
}

function quotedPrintableLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  let out = '';
  let width = 0;
  bytes.forEach((b, i) => {
    const last = i === bytes.length - 1;
    const plain = b >= 33 && b <= 126 && b !== 61;
    const space = (b === 32 || b === 9) && !last;
    const piece =
      plain || space ? String.fromCharCode(b) : '=' + b.toString(16).toUpperCase().padStart(2, '0');
    if (width + piece.length > 75) {
      out += '=\r\n';
      width = 0;
    }
    out += piece;
    width += piece.length;
  });
  return out;
}

/** The entity for `:mime`, with a boundary found in neither part. The server adds MIME-Version. */
export function buildAlternative(parts: Required<ReplyParts>, eol: string): string {
  let boundary = 'tamis-alternative';
  for (let n = 1; parts.text.includes(boundary) || parts.html.includes(boundary); n++) {
    boundary = `tamis-alternative-${n}`;
  }
  return (
    `Content-Type: multipart/alternative; boundary="${boundary}"${eol}${eol}` +
    `--${boundary}${eol}${encodePart('text/plain', parts.text, eol)}${eol}` +
    `--${boundary}${eol}${encodePart('text/html', parts.html, eol)}${eol}` +
    `--${boundary}--`
  );
}

interface Entity {
  headers: Map<string, string>;
  body: string;
}

function splitEntity(text: string): Entity {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const body = m ? text.slice(m.index + m[0].length) : '';
  const headers = new Map<string, string>();
  for (const field of head.split(/\r?\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    if (colon > 0)
      headers.set(
        field.slice(0, colon).trim().toLowerCase(),
        field
          .slice(colon + 1)
          .replace(/\r?\n/g, '')
          .trim(),
      );
  }
  return { headers, body };
}

function parameter(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]!).replace(/\\(.)/g, '$1') : null;
}

function decodeBody(entity: Entity): string | null {
  const cte = (entity.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset = (
    parameter(entity.headers.get('content-type') ?? '', 'charset') ?? 'us-ascii'
  ).toLowerCase();
  if (!['utf-8', 'us-ascii', 'iso-8859-1'].includes(charset)) return null;
  let bytes: Buffer;
  if (cte === 'quoted-printable') {
    bytes = requoted(entity.body.replace(/=\r?\n/g, ''));
  } else if (cte === 'base64') bytes = Buffer.from(entity.body.replace(/\s+/g, ''), 'base64');
  else if (['7bit', '8bit', 'binary'].includes(cte)) bytes = Buffer.from(entity.body, 'utf8');
  else return null;
  return bytes.toString(charset === 'iso-8859-1' ? 'latin1' : 'utf8').replace(/\r\n?/g, '\n');
}

/** Quoted-printable text whose literal characters may be non-ASCII: each part to its bytes. */
function requoted(soft: string): Buffer {
  const chunks: Buffer[] = [];
  let last = 0;
  for (const m of soft.matchAll(/=([0-9A-Fa-f]{2})/g)) {
    chunks.push(Buffer.from(soft.slice(last, m.index), 'utf8'), Buffer.from([parseInt(m[1]!, 16)]));
    last = m.index + m[0].length;
  }
  chunks.push(Buffer.from(soft.slice(last), 'utf8'));
  return Buffer.concat(chunks);
}

/**
 * The text (and HTML) of a `:mime` reason: a single text part, or multipart/alternative with a text
 * and an HTML part. Null for anything else (attachments, unknown charsets), which the reader reports.
 */
export function readReplyEntity(reason: string): ReplyParts | null {
  const entity = splitEntity(reason);
  const type = (entity.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('text/plain')) {
    const text = decodeBody(entity);
    return text === null ? null : { text: text.replace(/\n$/, '') };
  }
  if (!type.startsWith('multipart/alternative')) return null;
  const boundary = parameter(entity.headers.get('content-type')!, 'boundary');
  if (!boundary) return null;
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
  const sections = entity.body.split(new RegExp(`(?:^|\\r?\\n)--${escaped}`));
  const out: ReplyParts = { text: '' };
  let seen = 0;
  for (const section of sections.slice(1)) {
    if (section.startsWith('--')) break;
    const part = splitEntity(section.replace(/^[ \t]*\r?\n/, ''));
    const ptype = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
    const content = decodeBody(part);
    if (content === null) return null;
    if (ptype.startsWith('text/plain') && seen === 0) out.text = content;
    else if (ptype.startsWith('text/html') && out.html === undefined) out.html = content;
    else return null;
    seen++;
  }
  return seen > 0 ? out : null;
}
