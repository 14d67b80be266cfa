/**
 * RFC 7352: the `duplicate` test is true when a message with the same unique ID (Message-ID, the
 * value of :header, or :uniqueid) was seen within :seconds, per :handle. The host's
 * `duplicateSeen` query reads the user's records; the marks to make come back as effects.
 */
import type { Extension } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { DuplicateQuery } from '../runtime/host.js';
import type { Effect } from '../runtime/result.js';
import { headerNames } from './base.js';
import { crypto } from '../message/deps.js';
import { number, object } from '../settings/schema.js';
import { stateKey } from '../compiler/state.js';
import { defineTest } from './define.js';

/** Run state: answers given in this run by key, so repeated tests in one script agree. */
const SEEN_STATE = stateKey<Map<string, boolean>>('duplicate.seen');

/**
 * An in-memory record of duplicate marks, per user: `seen` answers the host query, `commit`
 * records a run's duplicate effects. For tests and single-process hosts; nothing persists.
 */
export function memoryDuplicateStore(now: () => number = Date.now, maxEntries = 10000) {
  const expires = new Map<string, number>();
  const id = (user: string, key: string) => `${user}\0${key}`;
  return {
    seen(q: DuplicateQuery): boolean {
      const until = expires.get(id(q.user, q.key));
      return until !== undefined && until > now();
    },
    commit(effects: readonly Effect[]): void {
      for (const e of effects) {
        if (e.type !== 'duplicate') continue;
        const k = id(e.user, e.key);
        const until = expires.get(k);
        if (until !== undefined && until > now() && !e.last) continue;
        expires.delete(k);
        expires.set(k, now() + e.seconds * 1000);
        // Oldest insertions go first once the table is full.
        if (expires.size > maxEntries) expires.delete(expires.keys().next().value!);
      }
    },
  };
}

interface DuplicateData {
  handle: SieveString;
  header: SieveString | null;
  uniqueId: SieveString | null;
  seconds: number | null;
  last: boolean;
}

const duplicate = defineTest<DuplicateData>({
  name: 'duplicate',
  tags: [
    { name: 'handle', param: 'string' },
    { name: 'header', param: 'string', group: 'id' },
    { name: 'uniqueid', param: 'string', group: 'id' },
    { name: 'seconds', param: 'number' },
    { name: 'last' },
  ],
  compile(args, cx) {
    const tag = (n: string) => args.tags.get(n)?.value;
    const header = tag('header');
    const uniqueId = tag('uniqueid');
    const handle = tag('handle');
    const seconds = tag('seconds');
    return {
      handle: handle ? cx.string(handle) : '',
      header: header ? (headerNames(header, cx)[0] ?? '') : null,
      uniqueId: uniqueId ? cx.string(uniqueId) : null,
      seconds: seconds?.type === 'number' ? seconds.value : null,
      last: args.tags.has('last'),
    };
  },
  test(d, rt) {
    let id: string | undefined;
    if (d.uniqueId !== null) id = rt.expand(d.uniqueId);
    else id = rt.message.header(d.header === null ? 'message-id' : rt.expand(d.header))[0]?.trim();
    // RFC 7352 §3.1: without the field there is nothing to compare.
    if (id === undefined) return false;
    const handle = rt.expand(d.handle);
    const key = crypto().createHash('sha256').update(`${handle}\0${id}`).digest('hex');
    let answers = rt.state.get(SEEN_STATE);
    if (!answers) {
      answers = new Map();
      rt.state.set(SEEN_STATE, answers);
    }
    const known = answers.get(key);
    if (known !== undefined) return known;
    const cfg = rt.config.duplicate;
    const seconds = Math.min(d.seconds ?? cfg.defaultPeriod, cfg.maxPeriod);
    // Records are the user's own: one user's Message-ID says nothing about another's mail.
    const user = rt.user;
    const query: DuplicateQuery = { user, key, seconds };
    const seen = rt.host.duplicateSeen
      ? rt.ask(`duplicate\0${user}\0${key}\0${seconds}`, () => rt.host.duplicateSeen!(query))
      : false;
    answers.set(key, seen);
    // The mark is made by the host once the message is stored, not by the run.
    if (!seen || d.last) rt.result.effects.push({ type: 'duplicate', user, key, seconds, last: d.last });
    return seen;
  },
});

/** RFC 7352. */
export const duplicateExtension: Extension = { name: 'duplicate', tests: [duplicate] };

/** RFC 7352 duplicate: how long a message is remembered. */
export const duplicateSettings = object(
  {
    defaultPeriod: number({
      integer: true,
      min: 0,
      default: 14 * 24 * 3600,
      doc: 'Period when the script gives no :seconds (seconds).',
    }),
    maxPeriod: number({
      integer: true,
      min: 0,
      default: 30 * 24 * 3600,
      doc: 'Longest :seconds accepted (seconds).',
    }),
  },
  { doc: 'RFC 7352 duplicate periods.' },
);
