/**
 * The delivery section of `npm run bench`: LMTP throughput of the real `tamis lmtp` process next to
 * Dovecot's lmtp + Pigeonhole on the same users, scripts and messages, then `tamis deliver` next to
 * `dovecot-lda` per message (test/bench/delivery-lda.ts).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SPAM_RULE, spamBeforeScript } from '../../src/delivery/spam-rule.js';
import {
  countFolders,
  dovecotLmtpProblem,
  folderDifferences,
  startDovecotLmtp,
  startTamisLmtp,
  type Peer,
} from './delivery-peers.js';
import { generateFilterScript, generateMessage, prng } from './generate.js';
import { runLoad, type LoadResult, type Transaction } from './lmtp-client.js';
import { median } from './stats.js';

/**
 * The 50-rule script of the engine sections made a personal delivery script: folders are created
 * on demand (`:create`, so neither side needs autocreate), and the two spamtest rules, which belong
 * to the global before-script here, become header rules.
 */
export function deliveryScript(rules = 50): string {
  return generateFilterScript(rules)
    .replace(/^require \[[^\]]*\];/, 'require ["fileinto", "imap4flags", "mailbox", "envelope"];')
    .replace(
      /^if spamtest :value "ge" :comparator "i;ascii-numeric" "9" \{[^\n]*\n/m,
      'if header :contains "x-spamd-result" "PHISHING" { fileinto :create "Phishing"; stop; }\n',
    )
    .replace(
      /^if spamtest :value "ge" :comparator "i;ascii-numeric" "6" \{[^\n]*\n/m,
      'if header :contains "x-spamd-result" "BAYES_SPAM" { addflag "$Suspicious"; }\n',
    )
    .replace(
      /fileinto (:flags "[^"]*" )?"/g,
      (_m, flags: string | undefined) => `fileinto :create ${flags ?? ''}"`,
    );
}

/**
 * A generated message with Rspamd's verdict on top, where the local MTA's milter puts it (above the
 * MTA's own Received field, the instance tamis trusts). About a fifth scores 4.5 or more; 4.50 and
 * 4.49 come up too, the two sides of the threshold.
 */
export function deliveryMessage(i: number, rand: () => number, tag: string): Buffer {
  const score = i % 100 === 0 ? 4.5 : i % 100 === 1 ? 4.49 : rand() < 0.2 ? 4.5 + rand() * 10 : rand() * 4.4;
  const symbols = score >= 4.5 ? 'BAYES_SPAM(5.10)[99.99%]' : 'BAYES_HAM(-3.00)[99.99%]';
  const phishing = i % 37 === 5 ? ';\r\n\tPHISHING(2.00)[example.net]' : '';
  const head =
    `X-Spamd-Result: default: ${score >= 15 ? 'True' : 'False'} [${score.toFixed(2)} / 15.00];\r\n` +
    `\t${symbols};\r\n\tR_SPF_ALLOW(-0.20)[+ip4:192.0.2.0/24]${phishing}\r\n` +
    `X-Bench-Run: ${tag}\r\n`;
  return Buffer.from(head + generateMessage(i, rand), 'latin1');
}

export interface DeliveryBenchOptions {
  cliPath: string;
  users: number;
  messages: number;
  rounds: number;
  /** [connections, recipients per transaction]. */
  loads: Array<[number, number]>;
  /** Node options for the tamis process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  say(line?: string): void;
}

interface Figure {
  tamis: LoadResult[];
  dovecot: LoadResult[];
  load: number[];
}

function transactions(messages: Buffer[], users: string[], rcpts: number): Transaction[] {
  const out: Transaction[] = [];
  for (let t = 0; t * rcpts < messages.length; t++) {
    out.push({
      sender: `sender${t % 50}@example.org`,
      recipients: Array.from(
        { length: rcpts },
        (_, k) => `${users[(t * rcpts + k) % users.length]}@example.com`,
      ),
      message: messages[t * rcpts]!,
    });
  }
  return out;
}

/** Throughput of both LMTP services, rounds alternating; fails when their folders differ. */
export async function benchDeliveryLmtp(o: DeliveryBenchOptions): Promise<void> {
  const say = o.say;
  const problem = dovecotLmtpProblem();
  if (problem) {
    say(`Dovecot comparison skipped: ${problem}`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'tamis-bench-delivery-'));
  // Dovecot's mail processes (nobody, as root) must reach their homes below.
  chmodSync(work, 0o755);
  const users = Array.from({ length: o.users }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);
  const script = deliveryScript(50);
  const before = spamBeforeScript(DEFAULT_SPAM_RULE);
  let tamis: Peer | null = null;
  let dovecot: Peer | null = null;
  try {
    tamis = await startTamisLmtp(o.cliPath, join(work, 'tamis'), users, script, o.nodeArgs);
    dovecot = await startDovecotLmtp(join(work, 'dovecot'), users, script, before);
    const peers = { tamis, dovecot };
    const batch = (tag: string, n: number) => {
      const rand = prng(11);
      return Array.from({ length: n }, (_, i) => deliveryMessage(i, rand, tag));
    };
    const check = (when: string) => {
      const diff = folderDifferences(countFolders(tamis!, users), countFolders(dovecot!, users));
      if (diff.length)
        throw new Error(`folders differ ${when} (tamis vs Dovecot):\n${diff.slice(0, 20).join('\n')}`);
    };
    // Warm-up: Dovecot compiles its .svbin files, V8 its hot paths.
    const warm = transactions(batch('warm-up', 200), users, 1);
    for (const p of Object.values(peers)) await runLoad(p.port, warm, 4);
    check('after the warm-up');
    const figures = new Map<string, Figure>();
    for (let round = 0; round < o.rounds; round++) {
      for (const [conns, rcpts] of o.loads) {
        const key = `${conns}×${rcpts}`;
        const f = figures.get(key) ?? { tamis: [], dovecot: [], load: [] };
        figures.set(key, f);
        const list = transactions(batch(`r${round} ${key}`, o.messages), users, rcpts);
        const order = round % 2 ? (['dovecot', 'tamis'] as const) : (['tamis', 'dovecot'] as const);
        for (const name of order) {
          f.load.push(loadavg()[0]!);
          const r = await runLoad(peers[name].port, list, conns);
          if (r.failures.length)
            throw new Error(`${name}: ${r.failures.length} failures, first: ${r.failures[0]}`);
          f[name].push(r);
          console.error(
            `  round ${round + 1} ${key} ${name}: ${r.perSecond.toFixed(0)}/s p99 ${r.p99.toFixed(1)} ms (load ${loadavg()[0]!.toFixed(2)})`,
          );
        }
      }
      check(`after round ${round + 1}`);
    }
    const folders = countFolders(tamis, users);
    const total = [...folders.values()].reduce((a, b) => a + b, 0);
    const junk = [...folders].filter(([k]) => k.endsWith('/.Junk')).reduce((a, [, n]) => a + n, 0);
    say(
      `${o.users} users, ${o.messages} deliveries per run (generated 2 KB messages), median of ${o.rounds} rounds; ` +
        `connections × recipients per transaction; deliveries per second; p99 per transaction; ` +
        `the ratio is the median of each round's (the two runs of a round are next to each other in time); ` +
        `the load average, read before each run, includes the bench's own processes.`,
    );
    say();
    say(
      '| load | tamis lmtp | Dovecot lmtp | tamis ÷ Dovecot | per round | tamis p99 | Dovecot p99 | load average |',
    );
    say('| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |');
    let worst = Infinity;
    for (const [key, f] of figures) {
      const t = median(f.tamis.map((r) => r.perSecond));
      const d = median(f.dovecot.map((r) => r.perSecond));
      const rounds = f.tamis.map((r, i) => r.perSecond / f.dovecot[i]!.perSecond);
      worst = Math.min(worst, median(rounds));
      const p99 = (rs: LoadResult[]) => `${median(rs.map((r) => r.p99)).toFixed(1)} ms`;
      say(
        `| ${key} | ${t.toFixed(0)}/s | ${d.toFixed(0)}/s | ${median(rounds).toFixed(2)}× | ` +
          `${rounds.map((x) => x.toFixed(2)).join(', ')} | ${p99(f.tamis)} | ${p99(f.dovecot)} | ` +
          `${Math.min(...f.load).toFixed(2)}–${Math.max(...f.load).toFixed(2)} |`,
      );
    }
    say();
    say(
      `Folders compared after every round: the same count per folder on both sides ` +
        `(${total} messages in ${folders.size} folders, ${junk} in Junk).`,
    );
    say(`Target tamis ≥ 2× Dovecot: lowest ratio ${worst.toFixed(2)}× → ${worst >= 2 ? 'met' : 'NOT met'}.`);
    say();
  } finally {
    await tamis?.stop();
    await dovecot?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
