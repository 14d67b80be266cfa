import { createHmac } from 'node:crypto';

/**
 * Sender Rewriting Scheme (Shevek's SRS paper, as libsrs2 and Mail::SRS implement it). A forward
 * keeps the original envelope sender's domain, so the receiver's SPF check sees our relay's IP
 * for a domain that never allowed it and may refuse the mail. SRS gives the forward a sender at
 * our domain that still encodes the original one, so bounces find their way back:
 *
 *   SRS0=HHHH=TT=example.com=alice@forward.example
 *   SRS1=HHHH=first.example==HHHH=TT=example.com=alice@forward.example   (re-forwarding an SRS0)
 *
 * HHHH: the first 4 characters of base64(HMAC-SHA1(secret, lowercase(TT + domain + local))).
 * TT: days since the epoch mod 1024 in base32 (A-Z, 2-7): a bounce after `maxAge` days is refused.
 */
export interface SrsConfig {
  secret: string;
  /** Our domain: rewritten senders are at it. */
  domain: string;
  /** Further domains of ours: senders there are not rewritten (SPF already covers them). */
  localDomains?: string[];
  /** Days a rewritten address stays valid for bounces (default 21, as libsrs2). */
  maxAge?: number;
}

export class SrsError extends Error {
  override readonly name = 'SrsError';
  constructor(
    message: string,
    readonly reason: 'not-srs' | 'malformed' | 'hash' | 'expired',
  ) {
    super(message);
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HASH_LENGTH = 4;
const DAY = 86_400_000;

function split(address: string): [string, string] {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) throw new SrsError(`not an address: ${address}`, 'malformed');
  return [address.slice(0, at), address.slice(at + 1)];
}

function timestamp(now: Date): string {
  const days = Math.floor(now.getTime() / DAY) % 1024;
  return BASE32[days >> 5]! + BASE32[days & 31]!;
}

export class Srs {
  private readonly secret: string;
  private readonly domain: string;
  private readonly ours: Set<string>;
  private readonly maxAge: number;

  constructor(config: SrsConfig) {
    if (!config.secret) throw new Error('SRS needs a secret');
    if (!config.domain || config.domain.includes('@'))
      throw new Error(`SRS domain ${JSON.stringify(config.domain)} is not a domain`);
    this.secret = config.secret;
    this.domain = config.domain;
    this.ours = new Set([config.domain, ...(config.localDomains ?? [])].map((d) => d.toLowerCase()));
    this.maxAge = config.maxAge ?? 21;
  }

  /** Whether `address` is at one of our domains. */
  isLocal(address: string): boolean {
    const at = address.lastIndexOf('@');
    return at >= 0 && this.ours.has(address.slice(at + 1).toLowerCase());
  }

  /** Whether `address` looks like one of ours, `SRS0=...@domain` or `SRS1=...@domain` (the hash is not checked). */
  isSrsAddress(address: string): boolean {
    const at = address.lastIndexOf('@');
    return (
      at > 0 &&
      address.slice(at + 1).toLowerCase() === this.domain.toLowerCase() &&
      /^SRS[01][=+-]/i.test(address.slice(0, at))
    );
  }

  private hash(...parts: string[]): string {
    const mac = createHmac('sha1', this.secret);
    for (const p of parts) mac.update(p.toLowerCase());
    return mac.digest('base64').slice(0, HASH_LENGTH);
  }

  /**
   * The envelope sender for forwarding mail from `sender`: unchanged when null or at one of our
   * domains; an SRS0 address otherwise, or SRS1 when `sender` is already another forwarder's SRS.
   */
  forward(sender: string, now: Date): string {
    if (sender === '' || this.isLocal(sender)) return sender;
    const [local, host] = split(sender);
    const srs = /^SRS([01])[=+-](.*)$/i.exec(local);
    if (srs?.[1] === '0') {
      // Another forwarder's SRS0: keep its hash and time, record where it came from.
      const rest = '=' + srs[2]!;
      return `SRS1=${this.hash(host, rest)}=${host}=${rest}@${this.domain}`;
    }
    if (srs?.[1] === '1') {
      // Already SRS1: only the newest hop's hash changes; the first forwarder stays in it.
      const m = /^[^=]*=([^=]+)==(.*)$/.exec(srs[2]!);
      if (m) {
        const rest = '=' + m[2]!;
        return `SRS1=${this.hash(m[1]!, rest)}=${m[1]}=${rest}@${this.domain}`;
      }
    }
    const tt = timestamp(now);
    return `SRS0=${this.hash(tt, host, local)}=${tt}=${host}=${local}@${this.domain}`;
  }

  /**
   * The address a bounce to `address` (one we made) goes back to, after checking its hash and
   * age. Throws `SrsError` for an address we did not make or that is too old.
   */
  reverse(address: string, now: Date): string {
    const [local, host] = split(address);
    if (!this.ours.has(host.toLowerCase()))
      throw new SrsError(`${address} is not at ${this.domain}`, 'not-srs');
    const srs = /^SRS([01])[=+-](.*)$/i.exec(local);
    if (!srs) throw new SrsError(`${address} is not an SRS address`, 'not-srs');
    if (srs[1] === '1') {
      const m = /^([^=]+)=([^=]+)==(.*)$/.exec(srs[2]!);
      if (!m) throw new SrsError(`${address}: malformed SRS1 address`, 'malformed');
      const rest = '=' + m[3]!;
      this.check(m[1]!, this.hash(m[2]!, rest), address);
      return `SRS0${rest}@${m[2]}`;
    }
    const m = /^([^=]+)=([^=]{2})=([^=]+)=(.+)$/.exec(srs[2]!);
    if (!m) throw new SrsError(`${address}: malformed SRS0 address`, 'malformed');
    const [, hash, tt, origHost, origLocal] = m as unknown as [string, string, string, string, string];
    this.check(hash, this.hash(tt, origHost, origLocal), address);
    const stamp = tt.toUpperCase();
    const then = BASE32.indexOf(stamp[0]!) * 32 + BASE32.indexOf(stamp[1]!);
    if (BASE32.indexOf(stamp[0]!) < 0 || BASE32.indexOf(stamp[1]!) < 0) {
      throw new SrsError(`${address}: malformed timestamp`, 'malformed');
    }
    const today = Math.floor(now.getTime() / DAY) % 1024;
    if ((today - then + 1024) % 1024 > this.maxAge) {
      throw new SrsError(`${address}: older than ${this.maxAge} days`, 'expired');
    }
    return `${origLocal}@${origHost}`;
  }

  /** Mail systems may change the case of a local part, so hashes compare without case. */
  private check(given: string, expected: string, address: string): void {
    if (given.toLowerCase() !== expected.toLowerCase())
      throw new SrsError(`${address}: hash does not match`, 'hash');
  }
}
