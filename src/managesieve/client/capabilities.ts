import { tokenText, type Token } from './wire.js';

/** Server capabilities (RFC 5804 section 1.7). Names in `raw` are upper-cased; values are as sent. */
export interface ManageSieveCapabilities {
  implementation?: string;
  /** Sieve extensions the server supports (`require` names). */
  sieve: string[];
  /** SASL mechanisms, upper-cased. */
  sasl: string[];
  startTls: boolean;
  version?: string;
  maxRedirects?: number;
  notify: string[];
  language?: string;
  owner?: string;
  unauthenticate: boolean;
  raw: Map<string, string | null>;
}

const words = (s: string | null | undefined): string[] => (s ? s.split(' ').filter((w) => w !== '') : []);

/** Builds capabilities from the data lines that precede the OK of a greeting, CAPABILITY or STARTTLS. */
export function parseCapabilities(lines: Token[][]): ManageSieveCapabilities {
  const raw = new Map<string, string | null>();
  for (const line of lines) {
    const name = tokenText(line[0]);
    if (name === undefined || line[0]!.kind !== 'string') continue;
    raw.set(name.toUpperCase(), line[1]?.kind === 'string' ? tokenText(line[1])! : null);
  }
  const get = (k: string): string | undefined => raw.get(k) ?? undefined;
  const maxRedirects = get('MAXREDIRECTS');
  const caps: ManageSieveCapabilities = {
    sieve: words(get('SIEVE')),
    sasl: words(get('SASL')).map((m) => m.toUpperCase()),
    startTls: raw.has('STARTTLS'),
    notify: words(get('NOTIFY')),
    unauthenticate: raw.has('UNAUTHENTICATE'),
    raw,
  };
  if (get('IMPLEMENTATION') !== undefined) caps.implementation = get('IMPLEMENTATION');
  if (get('VERSION') !== undefined) caps.version = get('VERSION');
  if (maxRedirects !== undefined && /^\d+$/.test(maxRedirects)) caps.maxRedirects = Number(maxRedirects);
  if (get('LANGUAGE') !== undefined) caps.language = get('LANGUAGE');
  if (get('OWNER') !== undefined) caps.owner = get('OWNER');
  return caps;
}
