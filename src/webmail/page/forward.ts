/// <reference lib="dom" />
// Forwarding: 1 to maxForwardAddresses addresses, with or without a copy kept in the mailbox.
import { api, type SessionInfo } from './api.js';
import { checkbox, h } from './dom.js';
import { t } from './i18n.js';
import { errorText, messageLine } from './messages.js';
import { saveSettings } from './save.js';
import type { ForwardSettings } from './types.js';

export function forwardPage(session: SessionInfo): HTMLElement {
  const max = Math.max(1, session.maxForwardAddresses || 1);
  const enabled = checkbox(t('forward.enabled'), false);
  enabled.input.dataset.field = 'enabled';
  const keepCopy = checkbox(t('forward.keepCopy'), true);
  keepCopy.input.dataset.field = 'keepCopy';
  const list = h('ol', { class: 'address-list', 'data-field': 'to' });
  const add = h('button', { type: 'button' }, t('forward.add'));
  const count = h('p', { class: 'hint', id: 'forward-count' });
  const msg = messageLine();

  const inputs = () => [...list.querySelectorAll('input')];
  const renumber = () => {
    inputs().forEach((input, i) => {
      const label = input.previousElementSibling as HTMLLabelElement;
      label.textContent = t('forward.address', { n: i + 1 });
      const remove = input.nextElementSibling as HTMLButtonElement;
      remove.setAttribute('aria-label', t('forward.remove', { n: i + 1 }));
      remove.disabled = inputs().length === 1;
    });
    add.disabled = inputs().length >= max;
    count.textContent = t('forward.count', { n: inputs().length, max });
  };
  const addRow = (value = '', focus = false) => {
    const input = h('input', {
      type: 'email',
      id: `forward-to-${list.children.length}`,
      autocomplete: 'off',
    });
    input.value = value;
    const remove = h('button', { type: 'button', class: 'icon' }, '×');
    const li = h('li', {}, h('label', { for: input.id }), input, remove);
    remove.addEventListener('click', () => {
      const next = (li.nextElementSibling ?? li.previousElementSibling)?.querySelector('input');
      li.remove();
      renumber();
      next?.focus();
    });
    list.append(li);
    renumber();
    if (focus) input.focus();
  };
  add.addEventListener('click', () => addRow('', true));

  const save = h('button', { type: 'submit', class: 'primary' }, t('common.save'));
  const controls = h(
    'fieldset',
    { class: 'plain', disabled: true },
    enabled.row,
    h(
      'fieldset',
      {},
      h('legend', {}, t('forward.addresses')),
      list,
      h('div', { class: 'actions' }, add),
      count,
    ),
    keepCopy.row,
    h('div', { class: 'actions' }, save),
  );
  const form = h('form', { class: 'settings', novalidate: true }, controls, msg.el);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.clear();
    const body: ForwardSettings = {
      enabled: enabled.input.checked,
      to: inputs()
        .map((i) => i.value.trim())
        .filter(Boolean),
      keepCopy: keepCopy.input.checked,
    };
    save.disabled = true;
    const done = await saveSettings<{ script?: string }>('/api/forward', body, form, msg);
    save.disabled = false;
    // script is null when there was nothing to write (turned off, and no script yet).
    if (done) msg.ok(done.script ? t('forward.saved', { script: done.script }) : t('common.savedNothing'));
  });

  api<ForwardSettings>('GET', '/api/forward').then(
    (s) => {
      list.replaceChildren();
      enabled.input.checked = s.enabled;
      keepCopy.input.checked = s.keepCopy !== false;
      const to = s.to?.length ? s.to.slice(0, max) : [''];
      for (const a of to) addRow(a);
      controls.disabled = false;
    },
    (e) => {
      controls.disabled = false;
      if (!inputs().length) addRow();
      msg.error(errorText(e));
    },
  );
  return h(
    'section',
    { class: 'page', 'aria-labelledby': 'page-title' },
    h('h1', { id: 'page-title', tabindex: -1 }, t('nav.forward')),
    form,
  );
}
