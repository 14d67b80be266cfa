// Just enough MIME reading to check what the relay received: unfolded headers, and the text of a
// single-part body decoded from its transfer encoding and charset.

export interface ParsedMail {
  headers: Map<string, string[]>;
  header(name: string): string | undefined;
  text: string;
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bq])\?([^?]*)\?=/gi, (_m, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64') : qpBytes(data.replace(/_/g, ' '));
      return new TextDecoder(charset).decode(bytes);
    });
}

function qpBytes(s: string): Buffer {
  const out: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

export function parseMail(raw: string): ParsedMail {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string[]>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [
      ...(headers.get(name) ?? []),
      decodeWords(Buffer.from(line.slice(colon + 1).trim(), 'latin1').toString('utf8')),
    ]);
  }
  const type = headers.get('content-type')?.[0] ?? 'text/plain';
  const charset = /charset="?([^";\s]+)/i.exec(type)?.[1] ?? 'us-ascii';
  const cte = (headers.get('content-transfer-encoding')?.[0] ?? '7bit').toLowerCase();
  const bytes =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : cte === 'quoted-printable'
        ? qpBytes(body)
        : Buffer.from(body, 'latin1');
  return {
    headers,
    header: (name) => headers.get(name.toLowerCase())?.[0],
    text: new TextDecoder(charset === 'us-ascii' ? 'utf-8' : charset).decode(bytes),
  };
}
