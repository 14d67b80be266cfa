/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// DOM helpers. Text from the user or the server only ever goes in through textContent or
// attribute values, never as markup.

type Attrs = Record<string, string | boolean | number | undefined>;
type Child = Node | string | null | undefined | false;

/** Creates an element with attributes (false/undefined left out) and children (strings as text). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Replaces an element's content. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

let idCount = 0;
/** A fresh element id for label/aria wiring. */
export function uid(prefix: string): string {
  return `${prefix}-${++idCount}`;
}

/** A labelled field: the label, the control and an optional hint, wired by id. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid('f');
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/** A checkbox with its label after it. */
export function checkbox(
  label: string,
  checked: boolean,
  name?: string,
): { row: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { type: 'checkbox', id: uid('c'), name });
  input.checked = checked;
  const row = h('div', { class: 'field check' }, input, h('label', { for: input.id }, label));
  return { row, input };
}

/** Calls `fn` once input has been quiet for `ms` milliseconds. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

/** Splits a list typed one per line or separated by commas, dropping blanks. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
