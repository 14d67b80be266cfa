/**
 * RFC 5183: the `environment` test reads facts about where the script runs. Values come from the
 * host's `environment` hook first, then the `environment` configuration, then built-in defaults;
 * an item none of them knows makes the test false. `vnd.dovecot.environment` adds Dovecot's
 * items and the `${env.*}` variables namespace.
 */
import type { CompiledKeys, Extension, MatchSpec } from './types.js';
import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';
import { registerVariableNamespace } from './variables.js';
import { os } from '../message/deps.js';
import { map, string } from '../settings/schema.js';
import { stateKey } from '../compiler/state.js';
import { defineTest } from './define.js';

/** The product name and version reported as "name" and "version" (kept in step with package.json). */
export const PRODUCT_NAME = 'tamis';
export const PRODUCT_VERSION = '0.1.0';

/** Items this engine knows by itself. */
function builtin(item: string, rt: Runtime): string | null {
  switch (item) {
    case 'name':
      return PRODUCT_NAME;
    case 'version':
      return PRODUCT_VERSION;
    case 'host':
      return os().hostname();
    case 'domain': {
      const h = os().hostname();
      const dot = h.indexOf('.');
      return dot < 0 ? null : h.slice(dot + 1);
    }
    // Scripts run while a message is delivered into the user's store.
    case 'location':
      return 'MDA';
    case 'phase':
      return 'during';
    case 'vnd.dovecot.default-mailbox':
      return rt.state.has(DOVECOT_STATE) ? 'INBOX' : null;
    default:
      return null;
  }
}

/** Run state: set when vnd.dovecot.environment is in use, which makes its items visible. */
const DOVECOT_STATE = stateKey<true>('environment.dovecot');

/** The value of one environment item, or null when it is unknown here. */
export function environmentItem(item: string, rt: Runtime): string | null {
  const name = item.toLowerCase();
  if (name.startsWith('vnd.dovecot.') && !rt.state.has(DOVECOT_STATE)) return null;
  const fromHost = rt.host.environment && rt.ask(`environment\0${name}`, () => rt.host.environment!(name));
  if (fromHost !== undefined && fromHost !== null) return fromHost;
  const configured = rt.config.environment[name];
  if (configured !== undefined) return configured;
  return builtin(name, rt);
}

interface EnvironmentData {
  spec: MatchSpec;
  item: SieveString;
  keys: CompiledKeys;
}

const environment = defineTest<EnvironmentData>({
  name: 'environment',
  matching: true,
  positional: ['string', 'stringlist'],
  compile: (args, cx) => ({
    spec: args.match!,
    item: cx.string(args.positional[0]!),
    keys: cx.keys(args.positional[1]!, args.match!),
  }),
  test(d, rt) {
    const value = environmentItem(rt.expand(d.item), rt);
    // RFC 5183 §4: an unknown item matches nothing, not even :count "eq" "0".
    if (value === null) return false;
    return rt.match([value], d.keys, d.spec);
  },
});

/** RFC 5183. */
export const environmentExtension: Extension = {
  name: 'environment',
  tests: [environment],
};

/** Namespaces `${env.a.b.c}` resolves through: the compiler splits off the last dot-separated piece. */
const ENV_NAMESPACES = ['env', 'env.vnd', 'env.vnd.dovecot', 'env.vnd.dovecot.config'];

/**
 * Dovecot's environment items (vnd.dovecot.default-mailbox, vnd.dovecot.username,
 * vnd.dovecot.config.*) and `${env.<item>}`, where "_" in a variable name stands for "-".
 */
export const dovecotEnvironmentExtension: Extension = {
  name: 'vnd.dovecot.environment',
  implies: ['environment'],
  onRequire(cx) {
    for (const ns of ENV_NAMESPACES) registerVariableNamespace(cx, ns);
  },
  onRun(rt) {
    rt.state.set(DOVECOT_STATE, true);
    for (const ns of ENV_NAMESPACES) {
      const prefix = ns === 'env' ? '' : ns.slice(4) + '.';
      rt.namespaces.set(ns, (name) => {
        const item = prefix + name;
        return environmentItem(item, rt) ?? environmentItem(item.replace(/_/g, '-'), rt) ?? '';
      });
    }
  },
};

/** RFC 5183 environment items added to or overriding the built-in ones. */
export const environmentSettings = map(string(), {
  doc: 'Environment items (name → value) added to or overriding the built-in ones, e.g. "location": "MDA".',
});
