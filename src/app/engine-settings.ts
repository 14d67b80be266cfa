import { defaultConfig, type ConfigInput } from '../index.js';

/** A configuration that does not match its schema: every problem, each with its path. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`config ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

// Objects whose keys are the user's own (names of variables, lists, text values), not settings.
const FREE_MAPS = new Set(['environment', 'textValues', 'lists']);

/**
 * Checks engine settings against the shape of the defaults: same types, no unknown keys.
 * Throws a ConfigError listing every problem.
 */
export function checkEngineSettings(value: unknown, source: string, path = 'engine'): ConfigInput {
  const problems: string[] = [];
  walk(value, defaultConfig, path, problems);
  if (problems.length) throw new ConfigError(source, problems);
  return value as ConfigInput;
}

function describe(v: unknown): string {
  return typeof v === 'string'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? 'an array'
      : v === null
        ? 'null'
        : String(v);
}

function kind(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  return `a ${typeof v}`;
}

function walk(value: unknown, shape: unknown, path: string, problems: string[]): void {
  if (typeof shape === 'object' && shape !== null && !Array.isArray(shape)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${path}: expected an object, got ${describe(value)}`);
      return;
    }
    const key = path.slice(path.lastIndexOf('.') + 1);
    if (FREE_MAPS.has(key)) return;
    const known = Object.keys(shape);
    for (const [k, v] of Object.entries(value)) {
      const sub = (shape as Record<string, unknown>)[k];
      if (!Object.hasOwn(shape, k)) {
        const near = known.find((n) => distance(n, k) <= 2);
        problems.push(`${path}.${k}: unknown setting${near ? `; did you mean ${near}?` : ''}`);
      } else walk(v, sub, `${path}.${k}`, problems);
    }
    return;
  }
  if (kind(value) !== kind(shape)) problems.push(`${path}: expected ${kind(shape)}, got ${describe(value)}`);
}

/** Levenshtein distance, for did-you-mean hints on short setting names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
