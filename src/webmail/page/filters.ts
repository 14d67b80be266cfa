/// <reference lib="dom" />
// Filters: the user's scripts, which one is active, and a raw editor checked as the user types.
import { api, ApiError, scriptPath } from './api.js';
import { confirmDialog } from './dialog.js';
import { debounce, field, h, replace } from './dom.js';
import { scriptEditor } from './editor.js';
import { t } from './i18n.js';
import { errorText, messageLine } from './messages.js';
import type { CheckError } from './types.js';

const CHECK_DELAY_MS = 300;

interface ScriptEntry {
  name: string;
  active: boolean;
}

export function filtersPage(): HTMLElement {
  const msg = messageLine();
  const table = h('div', { class: 'scripts' });
  const editorBox = h('div', { class: 'editor-box' });
  const newName = h('input', { type: 'text', autocomplete: 'off', maxlength: 128 });
  const newForm = h(
    'form',
    { class: 'row new-script' },
    field(t('filters.newName'), newName),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('filters.new'))),
  );
  newForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = newName.value.trim();
    if (!name) return msg.error(t('filters.nameRequired'));
    openEditor(name, '', true);
  });

  const run = async (what: () => Promise<unknown>, done: string) => {
    msg.clear();
    try {
      await what();
      msg.ok(done);
      await refresh();
    } catch (e) {
      msg.error(errorText(e));
    }
  };

  const refresh = async () => {
    let scripts: ScriptEntry[];
    try {
      scripts = (await api<{ scripts: ScriptEntry[] }>('GET', '/api/scripts')).scripts;
    } catch (e) {
      msg.error(errorText(e));
      return;
    }
    if (!scripts.length) return replace(table, h('p', { class: 'hint' }, t('filters.none')));
    const rows = scripts.map((s, i) => {
      const rowId = `script-row-${i}`;
      const edit = h('button', { type: 'button' }, t('filters.edit'));
      edit.addEventListener('click', () => load(s.name));
      const toggle = h(
        'button',
        { type: 'button' },
        s.active ? t('filters.deactivate') : t('filters.activate'),
      );
      toggle.addEventListener('click', () =>
        s.active
          ? run(() => api('POST', '/api/scripts/deactivate'), t('filters.deactivated', { name: s.name }))
          : run(() => api('POST', scriptPath(s.name, '/activate')), t('filters.activated', { name: s.name })),
      );
      const del = h('button', { type: 'button', class: 'danger' }, t('filters.delete'));
      del.addEventListener('click', async () => {
        const sure = await confirmDialog(
          t('filters.deleteTitle'),
          [h('p', {}, t('filters.deleteConfirm', { name: s.name }))],
          t('filters.delete'),
          true,
        );
        if (sure) await run(() => api('DELETE', scriptPath(s.name)), t('filters.deleted', { name: s.name }));
        else del.focus();
      });
      for (const b of [edit, toggle, del]) b.setAttribute('aria-describedby', rowId);
      return h(
        'tr',
        {},
        h('th', { scope: 'row', id: rowId }, s.name),
        h('td', {}, s.active ? h('strong', { class: 'badge' }, t('filters.active')) : t('filters.inactive')),
        h('td', {}, h('div', { class: 'actions' }, edit, toggle, del)),
      );
    });
    replace(
      table,
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, t('filters.list')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('filters.name')),
            h('th', { scope: 'col' }, t('filters.state')),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('filters.actions'))),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    );
  };

  const load = async (name: string) => {
    try {
      const s = await api<{ name: string; content: string }>('GET', scriptPath(name));
      openEditor(s.name, s.content, false);
    } catch (e) {
      msg.error(errorText(e));
    }
  };

  const openEditor = (name: string, content: string, isNew: boolean) => {
    const ed = scriptEditor(t('filters.content', { name }));
    ed.textarea.value = content;
    const status = h('p', { class: 'check-status', role: 'status', 'aria-live': 'polite' });
    const edMsg = messageLine();
    let checkRun = 0;
    const check = debounce(async () => {
      const mine = ++checkRun;
      try {
        const r = await api<{ valid: boolean; errors: CheckError[] }>('POST', '/api/check', {
          content: ed.textarea.value,
        });
        if (mine !== checkRun) return;
        ed.setErrors(r.errors);
        const errors = r.errors.filter((e) => e.severity !== 'warning').length;
        status.className = `check-status ${r.valid ? 'ok' : 'error'}`;
        status.textContent = r.valid ? t('editor.valid') : t('editor.invalid', { n: errors });
      } catch (e) {
        if (mine === checkRun) status.textContent = errorText(e);
      }
    }, CHECK_DELAY_MS);
    ed.textarea.addEventListener('input', check);
    const save = h('button', { type: 'submit', class: 'primary' }, t('common.save'));
    const close = h('button', { type: 'button' }, t('common.close'));
    const form = h(
      'form',
      { class: 'settings wide', 'aria-labelledby': 'editor-title' },
      h(
        'h2',
        { id: 'editor-title', tabindex: -1 },
        isNew ? t('filters.newTitle', { name }) : t('filters.editTitle', { name }),
      ),
      ed.el,
      status,
      h('div', { class: 'actions' }, close, save),
      edMsg.el,
    );
    close.addEventListener('click', () => {
      editorBox.replaceChildren();
      newName.focus();
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      edMsg.clear();
      save.disabled = true;
      try {
        await api('PUT', scriptPath(name), { content: ed.textarea.value });
        edMsg.ok(t('filters.saved', { name }));
        await refresh();
      } catch (e) {
        if (e instanceof ApiError && Array.isArray(e.body.errors))
          ed.setErrors(e.body.errors as CheckError[]);
        edMsg.error(errorText(e));
      }
      save.disabled = false;
    });
    replace(editorBox, form);
    ed.setErrors([]);
    check();
    ed.textarea.focus();
  };

  void refresh();
  return h(
    'section',
    { class: 'page', 'aria-labelledby': 'page-title' },
    h('h1', { id: 'page-title', tabindex: -1 }, t('nav.filters')),
    msg.el,
    table,
    newForm,
    editorBox,
  );
}
