/// <reference lib="dom" />
// A plain textarea for Sieve with the check's problems marked in place: a layer behind the
// transparent textarea repeats the text with the error ranges wrapped in <mark>, and a list under it
// names each problem and moves the cursor there.
import { h, replace, uid } from './dom.js';
import { t, translated } from './i18n.js';
import type { CheckError } from './types.js';

/** Offset in `text` of a 1-based line and column (clamped to the line's end). */
export function offsetOf(text: string, line: number, column: number): number {
  let pos = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) return text.length;
    pos = nl + 1;
  }
  const eol = text.indexOf('\n', pos);
  const lineEnd = eol < 0 ? text.length : eol;
  return Math.min(pos + Math.max(0, column - 1), lineEnd);
}

/** The range a problem covers: its end when given, else the rest of the word it starts on. */
function rangeOf(text: string, e: CheckError): [number, number] {
  const from = offsetOf(text, e.line, e.column);
  if (e.endLine !== undefined && e.endColumn !== undefined) {
    const to = offsetOf(text, e.endLine, e.endColumn);
    if (to > from) return [from, to];
  }
  const m = /^[^\s;{}()[\],]*/.exec(text.slice(from));
  return [from, from + Math.max(m ? m[0].length : 0, 0)];
}

export function diagnosticText(e: CheckError): string {
  return translated(`diag.${e.code}`, e.message);
}

export interface ScriptEditor {
  el: HTMLElement;
  textarea: HTMLTextAreaElement;
  setErrors(errors: CheckError[]): void;
}

export function scriptEditor(label: string): ScriptEditor {
  const textarea = h('textarea', {
    id: uid('script'),
    class: 'code',
    spellcheck: 'false',
    autocapitalize: 'off',
    wrap: 'off',
    rows: 16,
  });
  const marks = h('pre', { class: 'code marks', 'aria-hidden': 'true' });
  const listId = uid('problems');
  const list = h('ul', { class: 'problems', id: listId });
  textarea.setAttribute('aria-describedby', listId);
  let errors: CheckError[] = [];

  const paint = () => {
    const text = textarea.value;
    const ranges = errors.map((e) => ({ e, r: rangeOf(text, e) })).sort((a, b) => a.r[0] - b.r[0]);
    const nodes: Node[] = [];
    let at = 0;
    for (const { e, r } of ranges) {
      const [from, to] = [Math.max(r[0], at), Math.max(r[1], at)];
      nodes.push(document.createTextNode(text.slice(at, from)));
      const cls = `${e.severity === 'warning' ? 'warn' : 'err'}${to === from ? ' point' : ''}`;
      nodes.push(h('mark', { class: cls }, text.slice(from, to)));
      at = to;
    }
    // The trailing newline keeps the last line's height equal to the textarea's.
    nodes.push(document.createTextNode(`${text.slice(at)}\n`));
    replace(marks, ...nodes);
    marks.scrollTop = textarea.scrollTop;
    marks.scrollLeft = textarea.scrollLeft;
  };
  textarea.addEventListener('input', paint);
  textarea.addEventListener('scroll', () => {
    marks.scrollTop = textarea.scrollTop;
    marks.scrollLeft = textarea.scrollLeft;
  });

  const setErrors = (next: CheckError[]) => {
    errors = next;
    const hasError = next.some((e) => e.severity !== 'warning');
    if (hasError) textarea.setAttribute('aria-invalid', 'true');
    else textarea.removeAttribute('aria-invalid');
    list.replaceChildren();
    for (const e of next) {
      const go = h(
        'button',
        { type: 'button', class: `link problem ${e.severity === 'warning' ? 'warn' : 'err'}` },
        t(e.severity === 'warning' ? 'editor.warningAt' : 'editor.errorAt', {
          line: e.line,
          column: e.column,
        }),
        ' ',
        diagnosticText(e),
      );
      go.dataset.line = String(e.line);
      go.dataset.column = String(e.column);
      go.addEventListener('click', () => {
        const [from, to] = rangeOf(textarea.value, e);
        textarea.focus();
        textarea.setSelectionRange(from, Math.max(to, from));
      });
      list.append(h('li', {}, go));
    }
    paint();
  };

  const el = h(
    'div',
    { class: 'field' },
    h('label', { for: textarea.id }, label),
    h('div', { class: 'editor' }, marks, textarea),
    list,
  );
  return { el, textarea, setErrors };
}
