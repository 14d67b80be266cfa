import type { Extension } from './types.js';
import type { AddressTestData } from './base.js';
import type { Runtime } from '../runtime/runtime.js';
import type { MailAddress } from '../message/types.js';
import { parseAddressList } from '../message/index.js';
import { defineTest } from './define.js';

/** Envelope parts this engine knows: RFC 5228 §5.4 from/to, plus the original recipient and auth. */
const PARTS: Record<string, (rt: Runtime) => string | undefined> = {
  from: (rt) => rt.envelope.from,
  to: (rt) => rt.envelope.to,
  orig_to: (rt) => rt.envelope.origTo,
  auth: (rt) => rt.envelope.auth,
};

/** An envelope path as an address; the null sender is the empty string in every part. */
export function envelopeAddress(path: string): MailAddress | null {
  if (path === '') return { name: '', localPart: '', domain: '', address: '' };
  const parsed = parseAddressList(path.startsWith('<') ? path : `<${path}>`);
  return parsed[0] ?? null;
}

const envelope = defineTest<AddressTestData>({
  name: 'envelope',
  matching: true,
  addressPart: true,
  positional: ['stringlist', 'stringlist'],
  compile(args, cx) {
    const names = cx.stringList(args.positional[0]!);
    for (const n of names) {
      if (typeof n === 'string' && !(n.toLowerCase() in PARTS)) {
        cx.error(
          args.positional[0]!.pos,
          `unknown envelope part "${n}" (known: ${Object.keys(PARTS).join(', ')})`,
        );
      }
    }
    return {
      spec: args.match!,
      part: args.addressPart!,
      names,
      keys: cx.keys(args.positional[1]!, args.match!),
    };
  },
  test(d, rt) {
    // RFC 6785: an IMAP event has no SMTP envelope, and the test must fail the run rather than guess.
    if (rt.context === 'imap') rt.error(undefined, 'the envelope test cannot be used in an IMAP event');
    const values: string[] = [];
    for (const n of rt.expandList(d.names)) {
      const raw = PARTS[n.toLowerCase()]?.(rt);
      // Only the sender can be null; an empty recipient means there is none to test.
      if (raw === undefined || (raw === '' && n.toLowerCase() !== 'from')) continue;
      const a = envelopeAddress(raw);
      const v = a ? d.part.extract(a, rt) : null;
      rt.trace?.({
        kind: 'values',
        source: 'envelope',
        name: n,
        part: d.part.name,
        values: v === null ? [] : [v],
      });
      if (v !== null) values.push(v);
    }
    return rt.match(values, d.keys, d.spec);
  },
});

/** RFC 5228 §5.4. */
export const envelopeExtension: Extension = { name: 'envelope', tests: [envelope] };
