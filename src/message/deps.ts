import { createRequire } from 'node:module';

/*
 * libmime (with iconv-lite and its Japanese tables) and re2js take tens of milliseconds to load,
 * while most runs never meet an encoded word, a MIME part or a regex. They are loaded on first
 * use instead of at start-up. Each is a CommonJS package (or has a CommonJS build), so a
 * synchronous require() serves both the ESM and the CommonJS builds of this library.
 * node:crypto (with the stream modules it loads) and node:os are here for the same reason:
 * only a few actions and tests need them.
 */

type Libmime = typeof import('libmime').default;
type Iconv = typeof import('iconv-lite');
type Charsets = typeof import('libmime/lib/charset.js');
type Re2js = typeof import('re2js');
type Crypto = typeof import('node:crypto');
type Os = typeof import('node:os');

// The CommonJS build has __filename and no import.meta; the ESM build has import.meta only.
const load = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

let mime: Libmime | undefined;
let iconvLite: Iconv | undefined;
let charsets: Charsets | undefined;
let re2: Re2js | undefined;
let nodeCrypto: Crypto | undefined;
let nodeOs: Os | undefined;

export function libmime(): Libmime {
  return (mime ??= load('libmime') as Libmime);
}

export function iconv(): Iconv {
  return (iconvLite ??= load('iconv-lite') as Iconv);
}

/** libmime's charset name resolution (aliases, `*lang` suffixes). */
export function normalizeCharset(name: string): string {
  charsets ??= load('libmime/lib/charset.js') as Charsets;
  return charsets.normalizeCharset(name);
}

export function re2js(): Re2js {
  return (re2 ??= load('re2js') as Re2js);
}

export function crypto(): Crypto {
  return (nodeCrypto ??= load('node:crypto') as Crypto);
}

export function os(): Os {
  return (nodeOs ??= load('node:os') as Os);
}
