/**
 * Deterministic inputs for the benchmarks: a large script, a realistic 50-rule script, and
 * generated messages of about 2 KB, all from a seeded generator so runs compare like with like.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Small seeded PRNG (mulberry32): same seed, same inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LARGE_REQUIRE =
  'require ["fileinto", "imap4flags", "envelope", "relational", "comparator-i;ascii-numeric", "copy"];\n';

/**
 * A script of `rules` independent rules (about 94 bytes each: 5,000 rules ≈ 470 KB) mixing
 * header, address, envelope, exists, size and relational tests with fileinto, flags, redirect.
 * No variables: Pigeonhole's sievec refuses scripts with more than 255 of them.
 */
export function generateLargeScript(rules: number): string {
  const out: string[] = [LARGE_REQUIRE];
  for (let i = 0; i < rules; i++) {
    switch (i % 6) {
      case 0:
        out.push(
          `if header :contains "subject" ["keyword-${i}", "topic ${i}"] { fileinto "Topics/t${i % 97}"; }\n`,
        );
        break;
      case 1:
        out.push(
          `if address :domain :is ["from", "sender"] "sender${i}.example.org" { addflag "\\\\Flagged"; }\n`,
        );
        break;
      case 2:
        out.push(
          `if header :matches "list-id" "*<list${i}.lists.example.net>*" { fileinto "Lists/l${i}"; stop; }\n`,
        );
        break;
      case 3:
        out.push(
          `if allof (exists "x-mailer", header :value "ge" :comparator "i;ascii-numeric" "x-priority" "${i % 5}") { keep; }\n`,
        );
        break;
      case 4:
        out.push(
          `if envelope :localpart :is "to" "user${i}" { fileinto :flags "\\\\Seen" "Users/u${i}"; }\n`,
        );
        break;
      default:
        out.push(
          `if anyof (size :over ${(i % 900) + 100}K, header :is "x-tag" "t${i}") { redirect :copy "a${i}@example.com"; }\n`,
        );
    }
  }
  return out.join('');
}

/** Mailing lists, sender domains and words the generated messages and the 50-rule script share. */
const LISTS = ['dev', 'users', 'announce', 'security', 'jobs', 'sales', 'ops', 'design'];
const DOMAINS = [
  'example.org',
  'example.net',
  'mail.example.com',
  'shop.example',
  'bank.example',
  'news.example',
];
const WORDS = [
  'report',
  'invoice',
  'meeting',
  'release',
  'urgent',
  'lunch',
  'offer',
  'update',
  'question',
  'photos',
];

/**
 * A realistic 50-rule script: spamtest first, mailing lists with :matches, senders by address,
 * subject keywords, flags with imap4flags. Needs the X-Spam-Score spamtest configuration.
 */
export function generateFilterScript(rules = 50): string {
  const out: string[] = [
    'require ["fileinto", "imap4flags", "spamtest", "relational", "comparator-i;ascii-numeric", "envelope"];\n',
    'if spamtest :value "ge" :comparator "i;ascii-numeric" "9" { fileinto "Junk"; stop; }\n',
    'if spamtest :value "ge" :comparator "i;ascii-numeric" "6" { addflag "$Suspicious"; }\n',
  ];
  let n = 2;
  for (let i = 0; n < rules; i++, n++) {
    const list = LISTS[i % LISTS.length]!;
    const domain = DOMAINS[i % DOMAINS.length]!;
    const word = WORDS[i % WORDS.length]!;
    switch (i % 5) {
      case 0:
        out.push(
          `if header :matches "list-id" "*<${list}${i}.lists.example.org>*" { fileinto "Lists/${list}${i}"; stop; }\n`,
        );
        break;
      case 1:
        out.push(`if address :domain :is "from" "${domain}" { addflag "\\\\Seen"; }\n`);
        break;
      case 2:
        out.push(
          `if header :contains "subject" "${word} ${i}" { fileinto :flags "\\\\Flagged" "Topics/${word}"; }\n`,
        );
        break;
      case 3:
        out.push(`if address :localpart :matches "from" "*news${i}*" { fileinto "News"; stop; }\n`);
        break;
      default:
        out.push(
          `if allof (header :matches "subject" "*${word}*", not exists "list-id") { addflag "$${word}"; }\n`,
        );
    }
  }
  return out.join('');
}

/** One generated message of about `size` bytes, with headers the filter script looks at. */
export function generateMessage(i: number, rand: () => number, size = 2048): string {
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]!;
  const domain = pick(DOMAINS);
  const word = pick(WORDS);
  const k = Math.floor(rand() * 50);
  const headers = [
    `Return-Path: <user${i}@${domain}>`,
    'Delivered-To: bob@example.com',
    `Received: from mx${i % 7}.${domain} (mx${i % 7}.${domain} [192.0.2.${i % 250}])`,
    `\tby mail.example.com with ESMTPS id Q${i.toString(36).toUpperCase()}; Tue, 04 Mar 2025 09:12:01 +0100`,
    `From: User ${i} <${rand() < 0.1 ? `news${k}` : `user${i}`}@${domain}>`,
    'To: Bob <bob@example.com>',
    `Subject: ${rand() < 0.5 ? `${word} ${k}` : `About the ${word}`}`,
    'Date: Tue, 04 Mar 2025 09:11:58 +0100',
    `Message-ID: <${i}.${k}@${domain}>`,
    `X-Spam-Score: ${(rand() * 15).toFixed(1)}`,
  ];
  if (rand() < 0.3) headers.push(`List-Id: ${pick(LISTS)} list <${pick(LISTS)}${k}.lists.example.org>`);
  headers.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', '');
  let text = headers.join('\r\n');
  const line = 'The quick brown fox jumps over the lazy dog while the mail keeps coming in.\r\n';
  while (text.length + line.length <= size) text += line;
  return text + 'x'.repeat(Math.max(0, size - text.length - 2)) + '\r\n';
}

/** Writes `count` generated messages into a new Maildir (cur/ new/ tmp/) at `dir`. */
export function writeMaildir(dir: string, count: number, seed = 42): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const rand = prng(seed);
  for (let i = 0; i < count; i++) {
    const name = `${1741075200 + i}.M${i}P1.bench.example:2,`;
    writeFileSync(
      join(dir, i % 10 === 0 ? 'new' : 'cur', i % 10 === 0 ? name.split(':')[0]! : name),
      generateMessage(i, rand),
    );
  }
}
