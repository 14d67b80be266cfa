import { readFileSync } from 'node:fs';
import path from 'node:path';
import { engineSettings, settings, type ConfigInput } from '../index.js';
import { JsonSyntaxError, parseJsonText } from './json-text.js';
import { deliveryPaths, deliverySettings, type DeliverySettings } from './delivery-settings.js';
import { manageSieveSettings, type ManageSieveSection } from './managesieve-settings.js';
import { webmailPaths, webmailSettings, type WebmailSection } from './webmail-settings.js';

/** A configuration that cannot be used: every problem, each with its path. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`config ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** One section of the configuration file, declared by the module it configures. */
export interface ConfigSection {
  name: string;
  settings: settings.Setting<unknown, unknown>;
  /** Adjusts a checked value: relative paths are taken relative to the file's folder. */
  prepare?: (value: Record<string, unknown>, dir: string) => Record<string, unknown>;
  /** Settings that moved to another section: path in this section → where they are now. */
  moved?: Record<string, string>;
}

/** The configuration file, section by section, as written (defaults are applied by each part). */
export interface TamisConfig {
  engine?: ConfigInput;
  managesieve?: ManageSieveSection;
  delivery?: DeliverySettings;
  webmail?: WebmailSection;
  /** Sections declared later through declareConfigSection. */
  [section: string]: unknown;
}

const sections = new Map<string, ConfigSection>();

/** Sections the platform will have; until their module declares them they are refused by name. */
const PLANNED = ['stores'];

/** The registration point: a part declares its section here (a name may be declared once). */
export function declareConfigSection(section: ConfigSection): void {
  if (sections.has(section.name)) throw new Error(`config section ${section.name} is declared twice`);
  sections.set(section.name, section);
}

/** The sections this version knows, in the order the reference lists them. */
export function configSections(): ConfigSection[] {
  return [...sections.values()];
}

declareConfigSection({ name: 'engine', settings: engineSettings });
declareConfigSection({
  name: 'managesieve',
  settings: manageSieveSettings,
  prepare: managesievePaths,
  moved: { maxRedirects: 'engine.maxRedirects', 'quota.maxScriptSize': 'engine.maxScriptSize' },
});
declareConfigSection({ name: 'delivery', settings: deliverySettings, prepare: deliveryPaths });
declareConfigSection({ name: 'webmail', settings: webmailSettings, prepare: webmailPaths });

/** Which section a file without sections stands for (accepted by the commands of that part; deprecated). */
export type FlatSection = 'engine' | 'managesieve';

export interface LoadOptions {
  /** Accept an old file holding one part's settings at the top level as that section. */
  flat?: FlatSection;
  /** Told when a deprecated form is accepted. */
  warn?: (message: string) => void;
}

/** Reads, parses and checks the configuration file; throws a ConfigError listing every problem. */
export function loadConfig(file: string, options: LoadOptions = {}): TamisConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : undefined;
    throw new ConfigError(file, [
      `cannot read the file: ${code ?? (e as Error).message}${why ? ` (${why})` : ''}`,
    ]);
  }
  let data: unknown;
  try {
    data = parseJsonText(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ConfigError(file, [e.message]);
    throw e;
  }
  return checkConfig(data, file, path.dirname(path.resolve(file)), options);
}

/** Checks a parsed configuration; `dir` is where relative paths start. */
export function checkConfig(
  data: unknown,
  source: string,
  dir: string,
  options: LoadOptions = {},
): TamisConfig {
  if (!settings.isPlainObject(data))
    throw new ConfigError(source, [
      `expected a JSON object at the top level, got ${settings.describeValue(data)}`,
    ]);
  const keys = Object.keys(data);
  const sectioned = keys.some((k) => sections.has(k) || PLANNED.includes(k));
  if (!sectioned && keys.length && options.flat) {
    options.warn?.(
      `config ${source}: ${options.flat} settings at the top level are deprecated; put them under "${options.flat}"`,
    );
    data = options.flat === 'engine' ? { engine: data } : flatManageSieve(data);
  }
  const problems: string[] = [];
  const out: TamisConfig = {};
  for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
    const section = sections.get(name);
    if (!section) {
      problems.push(unknownSection(name));
      continue;
    }
    const found = settings.checkSetting(section.settings, value, name).map((p) => movedHint(section, p));
    problems.push(...found);
    if (!found.length) {
      const v = value as Record<string, unknown>;
      out[name] = section.prepare ? section.prepare(v, dir) : v;
    }
  }
  if (problems.length) throw new ConfigError(source, problems);
  return out;
}

function movedHint(section: ConfigSection, problem: string): string {
  for (const [from, to] of Object.entries(section.moved ?? {}))
    if (problem.startsWith(`${section.name}.${from}: unknown setting`))
      return `${section.name}.${from}: moved to ${to} (one limit, named once)`;
  return problem;
}

function unknownSection(name: string): string {
  if (PLANNED.includes(name)) return `${name}: section "${name}" is not supported by this version`;
  const known = [...sections.keys()];
  const near = known.find((k) => k.toLowerCase() === name.toLowerCase() || distance1(k, name));
  return `${JSON.stringify(name)}: unknown section (sections: ${known.join(', ')})${near ? `; did you mean ${near}?` : ''}`;
}

/** Names one edit or one swap of neighbours apart (a typo in a section name). */
function distance1(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const swapped = a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  return (
    swapped ||
    a.slice(i + 1) === b.slice(i + 1) ||
    a.slice(i) === b.slice(i + 1) ||
    a.slice(i + 1) === b.slice(i)
  );
}

/**
 * An old `tamis managesieve` file: the server's settings at the top level, with two engine limits
 * among them (`maxRedirects`, `quota.maxScriptSize`), which go to the engine section.
 */
function flatManageSieve(data: Record<string, unknown>): Record<string, unknown> {
  const { maxRedirects, ...rest } = data;
  const engine: Record<string, unknown> = {};
  if (maxRedirects !== undefined) engine.maxRedirects = maxRedirects;
  if (settings.isPlainObject(rest.quota) && 'maxScriptSize' in rest.quota) {
    const { maxScriptSize, ...quota } = rest.quota;
    // 0 meant "no limit" for the store; the engine always has one, so its default stays.
    if (maxScriptSize !== 0) engine.maxScriptSize = maxScriptSize;
    rest.quota = quota;
  }
  return Object.keys(engine).length ? { engine, managesieve: rest } : { managesieve: rest };
}

function managesievePaths(v: Record<string, unknown>, dir: string): Record<string, unknown> {
  const rel = (p: unknown) => (typeof p === 'string' ? path.resolve(dir, p) : undefined);
  const out: Record<string, unknown> = { ...v };
  for (const k of ['dataDir', 'usersFile', 'homeDir', 'globalScriptsDir'])
    if (v[k] !== undefined) out[k] = rel(v[k]);
  if (settings.isPlainObject(v.tls)) {
    const tls = { ...v.tls };
    for (const k of ['cert', 'key']) if (tls[k] !== undefined) tls[k] = rel(tls[k]);
    out.tls = tls;
  }
  return out;
}
