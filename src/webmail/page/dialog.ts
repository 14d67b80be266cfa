/// <reference lib="dom" />
// Modal confirmations (native <dialog>: focus is trapped and Escape cancels), and the 409 conflict
// view that shows what saving would change before the user forces it.
import { h } from './dom.js';
import { diffLines } from './diff.js';
import { diagnosticText } from './editor.js';
import { t } from './i18n.js';
import type { CheckError } from './types.js';

/** Shows a modal with `content`; resolves true when the user confirms. */
export function confirmDialog(
  title: string,
  content: Node[],
  confirmLabel: string,
  danger = false,
  cancelable = true,
): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = `dlg-${Date.now()}`;
    const ok = h('button', { type: 'button', class: danger ? 'danger' : 'primary' }, confirmLabel);
    const cancel = h('button', { type: 'button' }, t('common.cancel'));
    const dlg = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      ...content,
      h('div', { class: 'actions' }, cancelable ? cancel : null, ok),
    );
    let answer = false;
    ok.addEventListener('click', () => {
      answer = true;
      dlg.close();
    });
    cancel.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(answer);
    });
    document.body.append(dlg);
    dlg.showModal();
    (cancelable ? cancel : ok).focus();
  });
}

function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { script?: unknown }).script === 'string') {
    return (v as { script: string }).script;
  }
  return JSON.stringify(v ?? null, null, 2);
}

/** The line-by-line difference between the current and the proposed script, as a list. */
export function diffView(current: unknown, proposed: unknown): HTMLElement {
  const rows = diffLines(asText(current), asText(proposed));
  const list = h('ol', { class: 'diff', 'aria-label': t('conflict.diff') });
  for (const r of rows) {
    const sign = r.kind === 'add' ? '+' : r.kind === 'del' ? '−' : ' ';
    const label = r.kind === 'add' ? t('conflict.added') : r.kind === 'del' ? t('conflict.removed') : '';
    list.append(
      h(
        'li',
        { class: `diff-${r.kind}` },
        h('span', { class: 'sign', 'aria-hidden': 'true' }, sign),
        label ? h('span', { class: 'visually-hidden' }, `${label}: `) : null,
        r.text,
      ),
    );
  }
  return list;
}

/** What the server says is in the way (parts it would drop, other rules), one item a line. */
function detailsList(details: unknown): Node {
  if (!Array.isArray(details) || !details.length) return document.createTextNode('');
  const ul = h('ul', { class: 'details' });
  for (const d of details) ul.append(h('li', {}, h('code', {}, String(d))));
  return ul;
}

/** The problems of a script that does not compile (a 409 with reason syntax-error). */
function errorsList(errors: unknown): Node {
  if (!Array.isArray(errors) || !errors.length) return document.createTextNode('');
  const ul = h('ul', { class: 'problems' });
  for (const e of errors as CheckError[]) {
    ul.append(h('li', {}, t('editor.errorAt', { line: e.line, column: e.column }), ' ', diagnosticText(e)));
  }
  return ul;
}

/** The 409 answer shown to the user; resolves true when they choose to overwrite. */
export async function confirmConflict(body: Record<string, unknown>): Promise<boolean> {
  const forceable = body.forceable === true;
  const content: Node[] = [
    h('p', {}, t(body.reason === 'syntax-error' ? 'conflict.syntax' : 'conflict.intro')),
    typeof body.message === 'string' ? h('p', { class: 'hint' }, body.message) : document.createTextNode(''),
    detailsList(body.details),
    errorsList(body.errors),
    body.current === null && body.proposed === null
      ? document.createTextNode('')
      : diffView(body.current, body.proposed),
  ];
  if (!forceable) {
    content.push(h('p', { class: 'message error' }, t('conflict.notForceable')));
    await confirmDialog(t('conflict.title'), content, t('common.close'), false, false);
    return false;
  }
  return confirmDialog(t('conflict.title'), content, t('conflict.force'), true);
}
