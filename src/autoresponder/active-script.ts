/**
 * Editing the active script of a user on a script server: read it, merge a rule into it, put it back,
 * and activate a new script when the user had none. The server is reached through a port (the
 * ManageSieve client fits it), so this module itself does no I/O.
 */
import { mergeForward, mergeVacation, setRuleEnabled, type MergeResult, type Refusal } from './merge.js';
import type { RuleKind } from './rules.js';

/** What the edit needs from a script server; ManageSieveClient has these methods. */
export interface ScriptServer {
  listScripts(): Promise<Array<{ name: string; active: boolean }>>;
  getScript(name: string): Promise<string>;
  putScript(name: string, script: string): Promise<{ warnings?: string }>;
  setActive(name: string): Promise<void>;
}

/** The edit to make, applied to the active script's text (null: there is none yet). */
export type ScriptEdit = (source: string | null) => MergeResult;

export type ActiveEditResult =
  | {
      ok: true;
      /** The script written, or the active one when nothing changed (null: none exists). */
      name: string | null;
      change: 'added' | 'updated' | 'unchanged';
      /** True when the script was created and activated by this edit. */
      created: boolean;
      warnings?: string;
    }
  | { ok: false; refusal: Refusal };

/** The active script's name and text, or null when no script is active. */
export async function readActiveScript(
  server: ScriptServer,
): Promise<{ name: string; source: string } | null> {
  const active = (await server.listScripts()).find((s) => s.active);
  return active ? { name: active.name, source: await server.getScript(active.name) } : null;
}

/**
 * A name for a new script: `preferred`, or `preferred-2`, `-3`... when a script of that name exists
 * (an inactive script the user kept is never overwritten).
 */
export function freeScriptName(preferred: string, taken: readonly string[]): string {
  const names = new Set(taken);
  if (!names.has(preferred)) return preferred;
  for (let i = 2; ; i++) if (!names.has(`${preferred}-${i}`)) return `${preferred}-${i}`;
}

/**
 * Applies `edit` to the user's active script and stores the result. Without an active script the
 * result goes to a new script named after `newScriptName`, which is then activated.
 */
export async function editActiveScript(
  server: ScriptServer,
  edit: ScriptEdit,
  newScriptName: string,
): Promise<ActiveEditResult> {
  const scripts = await server.listScripts();
  const active = scripts.find((s) => s.active);
  const source = active ? await server.getScript(active.name) : null;
  const r = edit(source);
  if (!r.ok) return { ok: false, refusal: r.refusal };
  if (r.change === 'unchanged')
    return { ok: true, name: active?.name ?? null, change: 'unchanged', created: false };
  const name =
    active?.name ??
    freeScriptName(
      newScriptName,
      scripts.map((s) => s.name),
    );
  const put = await server.putScript(name, r.script);
  if (!active) await server.setActive(name);
  return {
    ok: true,
    name,
    change: r.change,
    created: !active,
    ...(put.warnings ? { warnings: put.warnings } : {}),
  };
}

/** True for `{"enabled": false}` alone: turn the rule off and keep what it says. */
export function onlyDisables(settings: unknown): boolean {
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return false;
  const keys = Object.keys(settings);
  return keys.length === 1 && keys[0] === 'enabled' && (settings as { enabled: unknown }).enabled === false;
}

/**
 * The edit that sets (`settings`), enables or disables the vacation or forwarding rule of a script.
 * Setting `{"enabled": false}` alone switches the rule off without rewriting it.
 */
export function ruleEdit(
  kind: RuleKind,
  action: 'set' | 'enable' | 'disable',
  settings: unknown,
  force: boolean,
): ScriptEdit {
  const options = { force };
  const off = action === 'disable' || (action === 'set' && onlyDisables(settings));
  return (source) => {
    if (off)
      return source === null
        ? { ok: true, script: '', change: 'unchanged' }
        : setRuleEnabled(kind, source, false, options);
    if (action === 'enable') return setRuleEnabled(kind, source ?? '', true, options);
    return kind === 'vacation'
      ? mergeVacation(source, settings, options)
      : mergeForward(source, settings, options);
  };
}
