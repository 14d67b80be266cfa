/**
 * Differential tests: every script of examples/differential/scripts over every message of
 * examples/differential/messages must have the same outcome (mailboxes stored into, redirects,
 * vacation or not, reject, discard) in tamis as in Pigeonhole's sieve-test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { parseMessage } from '../../src/message/index.js';
import { envelopeFor } from '../../src/cli/test.js';
import {
  createOracle,
  mapPool,
  ORACLE_TAMIS_CONFIG,
  parseSieveTestOutput,
  pigeonholeUnavailable,
  tamisOutcomes,
  type Oracle,
} from './pigeonhole.js';

const CORPUS = join(import.meta.dirname, '../../examples/differential');
const scripts = readdirSync(join(CORPUS, 'scripts'))
  .filter((f) => f.endsWith('.sieve'))
  .sort();
const messages = readdirSync(join(CORPUS, 'messages'))
  .filter((f) => f.endsWith('.eml'))
  .sort();

const unavailable = pigeonholeUnavailable('sieve-test');
if (unavailable) console.warn(`differential tests skipped: ${unavailable}`);

/** sieve-test's outcome per "script\0message", filled once for the whole corpus. */
const expected = new Map<string, { outcomes: string[]; raw: string }>();

/**
 * The envelope both tools get, from the message's headers. sieve-test cannot be given the null
 * sender, so a bounce (Return-Path: <>) is given its From address instead.
 */
function envelopeOf(message: string) {
  const view = parseMessage(readFileSync(join(CORPUS, 'messages', message)));
  const env = envelopeFor(view);
  return {
    from: env.from || (view.addresses('from')[0]?.address ?? 'mailer-daemon@example.com'),
    to: env.to,
  };
}

describe.skipIf(unavailable !== null)('tamis agrees with Pigeonhole sieve-test', () => {
  let oracle: Oracle;

  beforeAll(async () => {
    oracle = createOracle();
    const staged = new Map<string, string>();
    for (const s of scripts) staged.set(s, oracle.stage(join(CORPUS, 'scripts', s)));
    for (const m of messages) staged.set(m, oracle.stage(join(CORPUS, 'messages', m)));
    const pairs = scripts.flatMap((s) => messages.map((m) => [s, m] as const));
    await mapPool(pairs, Math.max(2, availableParallelism()), async ([s, m]) => {
      const env = envelopeOf(m);
      const args = ['-f', env.from, '-a', env.to, '-r', env.to];
      const { stdout, stderr } = await oracle.run('sieve-test', [...args, staged.get(s)!, staged.get(m)!]);
      // A script sieve-test refuses is a corpus mistake, not a difference: make it visible.
      const refused = /failed to compile/.test(stderr);
      expected.set(`${s}\0${m}`, {
        outcomes: refused
          ? ['sieve-test could not compile the script']
          : [...parseSieveTestOutput(stdout)].sort(),
        raw: stdout + stderr,
      });
    });
  }, 120_000);

  const engine = new SieveEngine({ config: ORACLE_TAMIS_CONFIG });

  for (const script of scripts) {
    it(script, () => {
      const source = readFileSync(join(CORPUS, 'scripts', script), 'utf8');
      const compiled = engine.compile(source);
      expect(compiled.errors.map((e) => `${e.line}:${e.column}: ${e.message}`)).toEqual([]);
      const mismatches: string[] = [];
      for (const message of messages) {
        const want = expected.get(`${script}\0${message}`)!;
        const result = engine.run(
          compiled.program!,
          readFileSync(join(CORPUS, 'messages', message)),
          envelopeOf(message),
        );
        const got = [...tamisOutcomes(result.actions)].sort();
        if (JSON.stringify(got) !== JSON.stringify(want.outcomes)) {
          mismatches.push(
            `${message}: tamis ${JSON.stringify(got)} (${result.status}${result.errors.map((e) => `: ${e.message}`).join('')})` +
              ` vs sieve-test ${JSON.stringify(want.outcomes)}\n${want.raw.trim().replace(/^/gm, '    ')}`,
          );
        }
      }
      expect(mismatches, mismatches.join('\n')).toEqual([]);
    });
  }

  it('covers at least 30 scripts and several messages', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(30);
    expect(messages.length).toBeGreaterThanOrEqual(6);
  });
});
