/// <reference lib="dom" />
// "Test a message": a pasted or uploaded message run through the active script on the server, with
// the actions it would take and the trace of every test: what was read, compared, and the outcome.
import { api } from './api.js';
import { field, h, replace } from './dom.js';
import { diagnosticText } from './editor.js';
import { t } from './i18n.js';
import { errorText, messageLine } from './messages.js';
import type { TestResult } from './types.js';

type Event = TestResult['trace'][number];

const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const list = (v: unknown) =>
  Array.isArray(v) && v.length ? v.map((x) => JSON.stringify(String(x))).join(', ') : t('trace.none');

/** One action in words. */
export function actionText(a: Record<string, unknown> & { type: string }): string {
  const key = `action.${a.type}`;
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) vars[k] = str(v);
  const text = t(key, vars);
  if (text !== key) return a.copy === true ? `${text} ${t('action.copyFlag')}` : text;
  const rest = Object.entries(a).filter(([k]) => k !== 'type');
  return `${a.type}${rest.length ? ` (${rest.map(([k, v]) => `${k}: ${str(v)}`).join(', ')})` : ''}`;
}

/** One trace event in words (null: nothing worth a line). */
export function traceText(e: Event): string | null {
  const yes = (b: unknown) => t(b ? 'trace.yes' : 'trace.no');
  switch (e.kind) {
    case 'test-start':
      return t('trace.test', { name: str(e.name) });
    case 'test':
      return t('trace.result', { name: str(e.name), result: yes(e.result) });
    case 'values':
      return t('trace.values', {
        source: [e.source, e.name, e.part].filter(Boolean).map(String).join(' '),
        values: list(e.values),
      });
    case 'match': {
      const how = `:${str(e.matchType)}${e.relation ? ` "${str(e.relation)}"` : ''} (${str(e.comparator)})`;
      return t('trace.match', { how, values: list(e.values), keys: list(e.keys), result: yes(e.result) });
    }
    case 'exists':
      return t('trace.exists', { header: str(e.header), result: yes(e.present) });
    case 'size':
      return t('trace.size', { size: str(e.size), comparison: str(e.comparison), limit: str(e.limit) });
    case 'set':
      return t('trace.set', { name: str(e.name), value: JSON.stringify(str(e.value)) });
    case 'action':
      return Array.isArray(e.actions) && e.actions.length
        ? (e.actions as TestResult['actions']).map(actionText).join('; ')
        : str(e.name);
    case 'error':
      return t('trace.error', { message: str(e.message) });
    default:
      return e.kind;
  }
}

function comparisons(e: Event): HTMLElement | null {
  if (e.kind !== 'match' || !Array.isArray(e.comparisons) || !e.comparisons.length) return null;
  const ul = h('ul', { class: 'comparisons' });
  for (const c of e.comparisons as Array<{ value: string; key: string; matched: boolean }>) {
    ul.append(
      h(
        'li',
        { class: c.matched ? 'hit' : '' },
        t('trace.comparison', {
          value: JSON.stringify(c.value),
          key: JSON.stringify(c.key),
          result: t(c.matched ? 'trace.yes' : 'trace.no'),
        }),
      ),
    );
  }
  return ul;
}

function resultView(r: TestResult): Node[] {
  const actions = h('ul', { class: 'actions-list' });
  for (const a of r.actions) actions.append(h('li', {}, actionText(a)));
  if (!r.actions.length) actions.append(h('li', {}, t('test.noActions')));
  const trace = h('ol', { class: 'trace' });
  for (const e of r.trace) {
    const text = traceText(e);
    if (text === null) continue;
    const li = h(
      'li',
      { class: `trace-${e.kind}` },
      h('span', { class: 'where' }, t('trace.line', { line: e.line })),
      ' ',
      text,
      comparisons(e),
    );
    li.style.setProperty('--depth', String(Math.min(e.depth, 12)));
    trace.append(li);
  }
  const out: Node[] = [h('h2', {}, t('test.actions')), actions];
  if (r.errors.length) {
    const errs = h('ul', { class: 'problems' });
    for (const e of r.errors)
      errs.append(
        h('li', {}, t('editor.errorAt', { line: e.line, column: e.column }), ' ', diagnosticText(e)),
      );
    out.push(h('h2', {}, t('test.errors')), errs);
  }
  out.push(
    h('h2', {}, t('test.trace')),
    r.trace.length ? trace : h('p', { class: 'hint' }, t('test.noTrace')),
  );
  return out;
}

export function testMessagePage(): HTMLElement {
  const message = h('textarea', { rows: 12, class: 'code', spellcheck: 'false', wrap: 'off' });
  const file = h('input', { type: 'file', accept: '.eml,message/rfc822,text/plain' });
  const from = h('input', { type: 'text', autocomplete: 'off' });
  const to = h('input', { type: 'text', autocomplete: 'off' });
  const msg = messageLine();
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    message.value = await f.text();
    msg.ok(t('test.loaded', { name: f.name }));
  });
  const run = h('button', { type: 'submit', class: 'primary' }, t('test.run'));
  const form = h(
    'form',
    { class: 'settings wide' },
    field(t('test.message'), message, t('test.messageHint')),
    field(t('test.upload'), file),
    h('div', { class: 'row' }, field(t('test.envelopeFrom'), from), field(t('test.envelopeTo'), to)),
    h('div', { class: 'actions' }, run),
    msg.el,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.clear();
    if (!message.value.trim()) return msg.error(t('test.empty'));
    const envelope: { from?: string; to?: string } = {};
    if (from.value.trim()) envelope.from = from.value.trim();
    if (to.value.trim()) envelope.to = to.value.trim();
    // Header lines end in CRLF on the wire; a pasted message has bare LFs.
    const raw = message.value.replace(/\r?\n/g, '\r\n');
    run.disabled = true;
    try {
      const r = await api<TestResult>('POST', '/api/test', { message: raw, envelope });
      replace(results, ...resultView(r));
      msg.ok(t('test.done', { n: r.actions.length }));
    } catch (e) {
      replace(results);
      msg.error(errorText(e));
    }
    run.disabled = false;
  });
  return h(
    'section',
    { class: 'page', 'aria-labelledby': 'page-title' },
    h('h1', { id: 'page-title', tabindex: -1 }, t('nav.test')),
    form,
    results,
  );
}
