/** Shared by the autoresponder tests: an engine with the platform's spam scale, runs at a given time. */
import { SieveEngine, type Action } from '../../src/index.js';
import { createOracle, pigeonholeUnavailable, type Oracle } from '../differential/pigeonhole.js';

// The platform spam rule's scale: :percent reaches 100 at a score of 4.5 (src/delivery/spam-rule.ts).
export const engine = new SieveEngine({
  config: { spamtest: { header: 'X-Spam-Score', type: 'score', max: 4.5 } },
});

export function message(opts: { subject?: string; spam?: number; extra?: string } = {}): Buffer {
  return Buffer.from(
    [
      'From: Sender <sender@example.org>',
      'To: Me <me@example.com>',
      ...(opts.subject === undefined ? [] : [`Subject: ${opts.subject}`]),
      ...(opts.spam === undefined ? [] : [`X-Spam-Score: ${opts.spam}`]),
      'Message-ID: <1@example.org>',
      ...(opts.extra ? [opts.extra] : []),
      '',
      'Hello',
      '',
    ].join('\r\n'),
  );
}

/** The actions of a run of `script` over `msg` at instant `now`. */
export function runAt(
  script: string,
  now: Date | string,
  msg: Buffer = message({ subject: 'Hi' }),
): Action[] {
  const { program, errors } = engine.compile(script);
  if (!program)
    throw new Error(`does not compile: ${errors.map((e) => `${e.line}: ${e.message}`).join('; ')}`);
  const r = engine.run(
    program,
    msg,
    { from: 'sender@example.org', to: 'me@example.com' },
    { host: { now: () => new Date(now) } },
  );
  if (r.status !== 'ok') throw new Error(`run failed: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.actions;
}

export const replied = (actions: Action[]): boolean =>
  actions.some((a) => a.type === 'vacation' && a.suppressed === undefined);

let oracle: Oracle | null | undefined;

/** Pigeonhole's sievec, when it can run here. */
export function sievec(): Oracle | null {
  if (oracle === undefined) oracle = pigeonholeUnavailable('sievec') ? null : createOracle();
  return oracle;
}

/** Compiles each script with sievec; resolves with the errors of those that fail. */
export async function sievecErrors(scripts: string[]): Promise<string[]> {
  const o = sievec()!;
  const failures: string[] = [];
  for (const [i, text] of scripts.entries()) {
    const file = o.write(`s${i}.sieve`, text);
    const r = await o.run('sievec', [file, `${o.dir}/s${i}.svbin`]);
    if (r.code !== 0) failures.push(`${r.stderr || r.stdout}\n--- script ---\n${text}`);
  }
  return failures;
}
