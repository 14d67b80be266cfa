/// <reference lib="dom" />
// How results and errors are shown: in a message line next to the form (a live region, so screen
// readers hear it) and in the page-wide status region.
import { ApiError } from './api.js';
import { h, replace } from './dom.js';
import { hasText, t, translated } from './i18n.js';

export interface Problem {
  path?: string;
  field?: string;
  code?: string;
  message?: string;
}

/** The text shown for a failed request: a translation of its code when there is one. */
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('error.unexpected', { message: String(e) });
  const body = e.body;
  const problems = Array.isArray(body.problems) ? (body.problems as Problem[]) : [];
  if (e.code === 'invalid_settings' && (problems.length || typeof body.code === 'string')) {
    const list = problems.length ? problems : [body as Problem];
    return list.map(problemText).join(' ');
  }
  if (e.code === 'conflict' && body.reason === 'syntax-error') return t('conflict.syntax');
  // Request errors have texts of their own in every language; the server's message is the fallback.
  if (hasText(`error.${e.code}`)) return t(`error.${e.code}`);
  return e.message || t('error.unexpected', { message: e.code });
}

/** One settings problem: where, and what (translated by its code when possible). */
export function problemText(p: Problem): string {
  const where = p.path ?? p.field;
  const own = p.code ? translated(`settings.${p.code}`, '') : '';
  // The server's English text names the field itself; a translation is a bare phrase.
  if (!own) return p.message ?? p.code ?? '';
  return where ? t('settings.at', { field: where, problem: own }) : own;
}

/** A message line for a form: polite for results, assertive for errors. */
export function messageLine(): {
  el: HTMLElement;
  ok(text: string): void;
  error(text: string): void;
  clear(): void;
} {
  const el = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  const set = (kind: string, text: string) => {
    el.className = `message ${kind}`;
    el.setAttribute('aria-live', kind === 'error' ? 'assertive' : 'polite');
    replace(el, text);
  };
  return {
    el,
    ok: (text) => set('ok', text),
    error: (text) => set('error', text),
    clear: () => set('', ''),
  };
}

/** Marks the controls named by a 400 answer's `field` (or problems' paths) as invalid. */
export function markInvalid(form: HTMLElement, e: unknown): void {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  if (!(e instanceof ApiError)) return;
  const names = new Set<string>();
  if (typeof e.body.field === 'string') names.add(e.body.field);
  for (const p of Array.isArray(e.body.problems) ? (e.body.problems as Problem[]) : []) {
    const where = p.path ?? p.field;
    if (where) names.add(where);
  }
  for (const name of names) {
    const m = /^(.*?)(?:\[(\d+)\])?$/.exec(name)!;
    const el = form.querySelector(`[data-field="${CSS.escape(m[1]!)}"]`);
    // A list field marks its nth input when it has inputs of its own (the forwarding rows).
    const inputs = el ? el.querySelectorAll('input') : [];
    const target = m[2] !== undefined && inputs.length ? inputs[Number(m[2])] : el;
    target?.setAttribute('aria-invalid', 'true');
  }
}
