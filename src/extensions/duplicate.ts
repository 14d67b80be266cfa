/**
 * RFC 7352: the `duplicate` test is true when a message with the same unique ID (Message-ID, the
 * value of :header, or :uniqueid) was seen within :seconds, per :handle. The host's
 * `duplicateSeen` keeps the records; without it an in-memory tracker serves the process.
 */
import type { Extension, TestDef } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import { headerNames } from './base.js';
import { crypto } from '../message/deps.js';

/** Run state: answers given in this run by key, so repeated tests in one script agree. */
const SEEN_STATE = 'duplicate.seen';

/** An in-memory duplicate tracker: key → time until which the key counts as seen. */
export function memoryDuplicateTracker(
  now: () => number = Date.now,
  maxEntries = 10000,
): (key: string, seconds: number, last: boolean) => boolean {
  const expires = new Map<string, number>();
  return (key, seconds, last) => {
    const t = now();
    const until = expires.get(key);
    const seen = until !== undefined && until > t;
    if (!seen || last) {
      expires.delete(key);
      expires.set(key, t + seconds * 1000);
      // Oldest insertions go first once the table is full.
      if (expires.size > maxEntries) expires.delete(expires.keys().next().value!);
    }
    return seen;
  };
}

const defaultTracker = memoryDuplicateTracker();

interface DuplicateData {
  handle: SieveString;
  header: SieveString | null;
  uniqueId: SieveString | null;
  seconds: number | null;
  last: boolean;
}

const duplicate: TestDef<DuplicateData> = {
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
    let answers = rt.state.get(SEEN_STATE) as Map<string, boolean> | undefined;
    if (!answers) {
      answers = new Map();
      rt.state.set(SEEN_STATE, answers);
    }
    const known = answers.get(key);
    if (known !== undefined) return known;
    const cfg = rt.config.duplicate;
    const seconds = Math.min(d.seconds ?? cfg.defaultPeriod, cfg.maxPeriod);
    const seen = (rt.host.duplicateSeen?.bind(rt.host) ?? defaultTracker)(key, seconds, d.last);
    answers.set(key, seen);
    return seen;
  },
};

/** RFC 7352. */
export const duplicateExtension: Extension = { name: 'duplicate', tests: [duplicate as TestDef] };
