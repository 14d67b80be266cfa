import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dovecotAvailable, dovecotSkipReason, startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { b64, lit, parseResult, RawClient } from '../server/raw-client.js';
import { startFixture, type Fixture } from '../server/fixture.js';

if (!dovecotAvailable()) console.warn(`skipping Dovecot parity: ${dovecotSkipReason}`);

const GOOD = 'require ["fileinto"];\r\nif header :contains "subject" "spam" {\r\n  fileinto "Junk";\r\n}\r\n';
const BAD =
  'require ["fileinto"];\r\nif header :contains "subject" "x" {\r\n  fileinto "Junk"\r\n}\r\nfoo;\r\n';
const cat = (...parts: (string | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

/** A SASL exchange: send `start`, then each response after waiting for the server's challenge line. */
interface Exchange {
  start: string;
  responses: string[];
}
type Step = string | Buffer | Exchange;

/** Raw commands; each gets exactly one OK/NO/BYE. */
const SESSION: Step[] = [
  'CAPABILITY\r\n',
  'LISTSCRIPTS\r\n',
  `AUTHENTICATE "PLAIN" "${b64('\0alice\0wrong')}"\r\n`,
  { start: 'AUTHENTICATE "PLAIN"\r\n', responses: ['"*"\r\n'] },
  { start: 'AUTHENTICATE "LOGIN"\r\n', responses: [`"${b64('alice')}"\r\n`, '"*"\r\n'] },
  { start: 'AUTHENTICATE "LOGIN"\r\n', responses: [`"${b64('alice')}"\r\n`, `{8+}\r\n${b64('wrong')}\r\n`] },
  'AUTHENTICATE "NOSUCHMECH"\r\n',
  cat('AUTHENTICATE "PLAIN" ', lit(b64('\0alice\0secret')), '\r\n'),
  `AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`,
  `HAVESPACE "main" ${Buffer.byteLength(GOOD)}\r\n`,
  'HAVESPACE "main" 999999999\r\n',
  cat('PUTSCRIPT "main" ', lit(GOOD), '\r\n'),
  cat('PUTSCRIPT "broken" ', lit(BAD), '\r\n'),
  'PUTSCRIPT "broken2" "require \\"nosuchext\\"; keep;"\r\n',
  'PUTSCRIPT "quoted" "keep;"\r\n',
  'PUTSCRIPT "empty" ""\r\n',
  'PUTSCRIPT ".." "keep;"\r\n',
  'GETSCRIPT "a/b"\r\n',
  'HAVESPACE "a/b" 5\r\n',
  'RENAMESCRIPT "nosuch" "a/b"\r\n',
  'RENAMESCRIPT "quoted" "quoted"\r\n',
  'NOOP "a" "b"\r\n',
  'GETSCRIPT atom\r\n',
  'HAVESPACE "x" abc\r\n',
  'PUTSCRIPT "vacation" {17}\r\ndiscard;\r\nstop;\r\n\r\n',
  'PUTSCRIPT "Ünïcødé name" "keep;"\r\n',
  'PUTSCRIPT "a/b" "keep;"\r\n',
  'PUTSCRIPT "" "keep;"\r\n',
  'PUTSCRIPT "ctl\x01x" "keep;"\r\n',
  'LISTSCRIPTS\r\n',
  'SETACTIVE "main"\r\n',
  'SETACTIVE "nosuch"\r\n',
  'LISTSCRIPTS\r\n',
  'GETSCRIPT "main"\r\n',
  'GETSCRIPT "Ünïcødé name"\r\n',
  'GETSCRIPT "nosuch"\r\n',
  'RENAMESCRIPT "main" "primary"\r\n',
  'RENAMESCRIPT "primary" "quoted"\r\n',
  'RENAMESCRIPT "nosuch" "x"\r\n',
  'LISTSCRIPTS\r\n',
  'DELETESCRIPT "primary"\r\n',
  'DELETESCRIPT "nosuch"\r\n',
  'DELETESCRIPT "quoted"\r\n',
  cat('CHECKSCRIPT ', lit(BAD), '\r\n'),
  cat('CHECKSCRIPT ', lit(GOOD), '\r\n'),
  'NOOP\r\n',
  'NOOP "sync-42"\r\n',
  'noop "lower"\r\n',
  'FOOBAR\r\n',
  'GETSCRIPT\r\n',
  'SETACTIVE ""\r\n',
  'SETACTIVE ""\r\n',
  'LISTSCRIPTS\r\n',
  'DELETESCRIPT "primary"\r\n',
  'LOGOUT\r\n',
];

const QUOTA_SESSION: Step[] = [
  `AUTHENTICATE "PLAIN" "${b64('\0alice\0secret')}"\r\n`,
  'HAVESPACE "big" 2000\r\n',
  cat('PUTSCRIPT "big" ', lit('#'.repeat(1998) + '\r\n'), '\r\n'),
  'PUTSCRIPT "q0" "keep;"\r\n',
  'PUTSCRIPT "q1" "keep;"\r\n',
  'PUTSCRIPT "q2" "keep;"\r\n',
  'PUTSCRIPT "q3" "keep;"\r\n',
  'HAVESPACE "another" 5\r\n',
  'HAVESPACE "q0" 5\r\n',
  'PUTSCRIPT "q0" "discard;"\r\n',
  'LISTSCRIPTS\r\n',
  'LOGOUT\r\n',
];

interface Outcome {
  /** `OK`, `NO (NONEXISTENT)`, ... */
  result: string;
  /** Non-result lines, normalised: capability lines reduced to their names, script lists sorted. */
  data: string[];
}

const label = (s: Step): string => (typeof s === 'string' || Buffer.isBuffer(s) ? s.toString() : s.start);

async function run(c: RawClient, step: Step): ReturnType<RawClient['cmd']> {
  if (typeof step === 'string' || Buffer.isBuffer(step)) return c.cmd(step);
  const lines = [];
  let next = step.start;
  for (const response of step.responses) {
    c.send(next);
    // A challenge, or already the result when the server refused early.
    const line = await c.readServerLine();
    const early = parseResult(line);
    if (early) return { lines, result: early };
    lines.push(line);
    next = response;
  }
  const r = await c.cmd(next);
  return { lines: [...lines, ...r.lines], result: r.result };
}

async function play(port: number, session: Step[]): Promise<Outcome[]> {
  const c = await RawClient.connect(port);
  await c.readReply();
  const out: Outcome[] = [];
  for (const step of session) {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      run(c, step),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no reply within 10 s')), 10_000);
      }),
    ])
      .catch((e: Error) => {
        c.close();
        throw new Error(`port ${port}, step ${JSON.stringify(label(step))}: ${e.message}`);
      })
      .finally(() => clearTimeout(timer));
    const data = r.lines.map((l) =>
      l.literals.length
        ? l.literals.map((x) => x.toString('utf8')).join('')
        : l.text.replace(/^("[A-Z]+")(?: ".*")?$/, '$1'),
    );
    out.push({ result: r.result.kind + (r.result.code ? ` (${r.result.code})` : ''), data: data.sort() });
  }
  c.close();
  return out;
}

/** Lines that legitimately differ: the capability names each server has (OWNER, UNAUTHENTICATE, NOTIFY). */
const OWN_CAPS = new Set(['"UNAUTHENTICATE"', '"NOTIFY"', '"OWNER"', '"SASL"']);

describe.skipIf(!dovecotAvailable())('parity with Dovecot managesieved on the same raw sessions', () => {
  let dv: DovecotServer;
  let fx: Fixture;
  let dvQuota: DovecotServer;
  let fxQuota: Fixture;
  beforeAll(async () => {
    [dv, fx, dvQuota, fxQuota] = await Promise.all([
      startDovecot({ users: [{ user: 'alice', password: '{PLAIN}secret' }] }),
      startFixture(),
      startDovecot({
        users: [{ user: 'alice', password: '{PLAIN}secret' }],
        sieveSettings: { sieve_max_script_size: '1K', sieve_quota_max_scripts: '3' },
      }),
      startFixture({ quota: { maxScriptSize: 1024, maxScripts: 3 } }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dv?.stop(), fx?.stop(), dvQuota?.stop(), fxQuota?.stop()]);
  });

  it('gives the same results, response codes and script data for the full command set', async () => {
    const ours = await play(fx.port, SESSION);
    const theirs = await play(dv.port, SESSION);
    const results = (o: Outcome[]): string[] =>
      o.map((x, i) => `${label(SESSION[i]!).slice(0, 40)} => ${x.result}`);
    expect(results(ours)).toEqual(results(theirs));
    const strip = (o: Outcome[]): string[][] =>
      o.map((x, i) => (i === 0 ? x.data.filter((d) => !OWN_CAPS.has(d)) : x.data));
    // Compile error texts differ between the engines, and Dovecot sometimes answers a SASL exchange before
    // its challenge; every other data line (script lists, script contents) must match.
    const isExchange = (s: Step): boolean => typeof s === 'object' && !Buffer.isBuffer(s);
    const comparable = (o: Outcome[]): string[] =>
      strip(o)
        .map((d, i) => `${label(SESSION[i]!).slice(0, 40)} => ${JSON.stringify(d)}`)
        .filter((_, i) => !/CHECKSCRIPT|broken/.test(label(SESSION[i]!)) && !isExchange(SESSION[i]!));
    expect(comparable(ours)).toEqual(comparable(theirs));
  }, 60_000);

  it('gives the same quota response codes', async () => {
    const [theirs, ours] = await Promise.all([
      play(dvQuota.port, QUOTA_SESSION),
      play(fxQuota.port, QUOTA_SESSION),
    ]);
    expect(ours.map((o) => o.result)).toEqual(theirs.map((o) => o.result));
    expect(ours.at(-2)!.data).toEqual(theirs.at(-2)!.data);
  }, 60_000);
});
