/// <reference lib="dom" />
// The autoresponder form: every VacationSettings field, and a preview of the reply as the sender
// will receive it, rebuilt by the server while the user types.
import { api } from './api.js';
import type { SessionInfo } from './api.js';
import { checkbox, debounce, field, h, replace, splitList, uid } from './dom.js';
import { t } from './i18n.js';
import { errorText, messageLine } from './messages.js';
import { saveSettings } from './save.js';
import { ORIGINAL_ACTIONS, type OriginalAction, type Preview, type VacationSettings } from './types.js';
import { isoToLocal, localToIso, timeZones } from './zoned-time.js';

const SUBJECT_VAR = '${subject}';
const PREVIEW_DELAY_MS = 400;

function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function vacationPage(session: SessionInfo): HTMLElement {
  const enabled = checkbox(t('vacation.enabled'), false);
  enabled.input.dataset.field = 'enabled';
  const subject = h('input', { type: 'text', 'data-field': 'subject', autocomplete: 'off' });
  const includeSubject = checkbox(t('vacation.includeSubject'), false);
  const body = h('textarea', { rows: 6, 'data-field': 'body' });
  const htmlOn = checkbox(t('vacation.htmlOn'), false);
  const html = h('textarea', { rows: 6, 'data-field': 'html' });
  const htmlField = field(t('vacation.html'), html);
  const from = h('input', { type: 'text', 'data-field': 'from', autocomplete: 'email' });
  const addresses = h('textarea', { rows: 2, 'data-field': 'addresses' });
  const interval = h('input', {
    type: 'number',
    min: 0,
    step: 1,
    inputmode: 'numeric',
    'data-field': 'days',
  });
  const unit = h('select', {}, h('option', { value: 'days' }, t('vacation.unitDays')));
  if (session.extensions.includes('vacation-seconds')) {
    unit.append(h('option', { value: 'seconds' }, t('vacation.unitSeconds')));
  }
  const start = h('input', { type: 'datetime-local', 'data-field': 'start' });
  const end = h('input', { type: 'datetime-local', 'data-field': 'end' });
  const zone = h('select', { 'data-field': 'timezone' });
  for (const z of timeZones()) zone.append(h('option', { value: z }, z));
  zone.value = browserZone();
  const originals = new Map<OriginalAction, HTMLInputElement>();
  const originalName = uid('original');
  const originalSet = h(
    'fieldset',
    { class: 'choices', 'data-field': 'original' },
    h('legend', {}, t('vacation.original')),
  );
  for (const o of ORIGINAL_ACTIONS) {
    const r = h('input', { type: 'radio', name: originalName, value: o, id: uid('o') });
    originals.set(o, r);
    originalSet.append(
      h('div', { class: 'check' }, r, h('label', { for: r.id }, t(`vacation.original.${o}`))),
    );
  }
  originals.get('keep')!.checked = true;
  const forwardTo = h('textarea', { rows: 2, 'data-field': 'forwardTo' });
  const forwardField = field(t('vacation.forwardTo'), forwardTo, t('common.listHint'));
  const skipSpam = checkbox(t('vacation.skipSpam'), true);
  skipSpam.input.dataset.field = 'skipSpam';
  const msg = messageLine();
  const save = h('button', { type: 'submit', class: 'primary' }, t('common.save'));

  const original = (): OriginalAction => ORIGINAL_ACTIONS.find((o) => originals.get(o)!.checked) ?? 'keep';
  const sync = () => {
    htmlField.hidden = !htmlOn.input.checked;
    const o = original();
    forwardField.hidden = o !== 'redirect' && o !== 'copy';
    interval.dataset.field = unit.value;
  };
  // The box follows the field as it is typed, and puts the placeholder in or takes it out when used.
  subject.addEventListener('input', () => {
    includeSubject.input.checked = subject.value.includes(SUBJECT_VAR);
  });
  includeSubject.input.addEventListener('change', () => {
    if (includeSubject.input.checked && !subject.value.includes(SUBJECT_VAR)) {
      subject.value = subject.value.trim()
        ? `${subject.value.trimEnd()} ${SUBJECT_VAR}`
        : `Re: ${SUBJECT_VAR}`;
    } else if (!includeSubject.input.checked) {
      subject.value = subject.value.split(SUBJECT_VAR).join('').replace(/\s+/g, ' ').trim();
    }
    sync();
  });

  const collect = (): VacationSettings => {
    const s: VacationSettings = { enabled: enabled.input.checked, subject: subject.value, body: body.value };
    if (htmlOn.input.checked && html.value) s.html = html.value;
    if (from.value.trim()) s.from = from.value.trim();
    const addrs = splitList(addresses.value);
    if (addrs.length) s.addresses = addrs;
    if (interval.value !== '') s[unit.value === 'seconds' ? 'seconds' : 'days'] = Number(interval.value);
    // A date the converter cannot read is sent as typed, for the server to refuse with its reason.
    if (start.value) s.start = localToIso(start.value, zone.value) ?? start.value;
    if (end.value) s.end = localToIso(end.value, zone.value) ?? end.value;
    if (s.start || s.end) s.timezone = zone.value;
    s.original = original();
    if (s.original === 'redirect' || s.original === 'copy') s.forwardTo = splitList(forwardTo.value);
    s.skipSpam = skipSpam.input.checked;
    return s;
  };

  const fill = (s: VacationSettings) => {
    enabled.input.checked = s.enabled;
    subject.value = s.subject ?? '';
    includeSubject.input.checked = subject.value.includes(SUBJECT_VAR);
    body.value = s.body ?? '';
    htmlOn.input.checked = s.html !== undefined && s.html !== '';
    html.value = s.html ?? '';
    from.value = s.from ?? '';
    addresses.value = (s.addresses ?? []).join('\n');
    const useSeconds = s.seconds !== undefined && [...unit.options].some((o) => o.value === 'seconds');
    unit.value = useSeconds ? 'seconds' : 'days';
    interval.value = String((useSeconds ? s.seconds : s.days) ?? '');
    if (s.timezone && [...zone.options].some((o) => o.value === s.timezone)) zone.value = s.timezone;
    start.value = s.start ? (isoToLocal(s.start, zone.value) ?? '') : '';
    end.value = s.end ? (isoToLocal(s.end, zone.value) ?? '') : '';
    originals.get(s.original ?? 'keep')!.checked = true;
    forwardTo.value = (s.forwardTo ?? []).join('\n');
    skipSpam.input.checked = s.skipSpam !== false;
    sync();
  };

  const previewBox = h(
    'div',
    { class: 'preview-body' },
    h('p', { class: 'hint' }, t('vacation.previewEmpty')),
  );
  let previewRun = 0;
  const preview = debounce(async () => {
    const run = ++previewRun;
    try {
      const p = await api<Preview>('POST', '/api/vacation/preview', collect());
      if (run === previewRun) replace(previewBox, ...previewView(p));
    } catch (e) {
      if (run === previewRun) replace(previewBox, h('p', { class: 'message error' }, errorText(e)));
    }
  }, PREVIEW_DELAY_MS);

  // Disabled until the current settings are in, so that nothing typed is overwritten by them.
  const controls = h(
    'fieldset',
    { class: 'plain', disabled: true },
    enabled.row,
    field(t('vacation.subject'), subject, t('vacation.subjectHint')),
    includeSubject.row,
    field(t('vacation.body'), body),
    htmlOn.row,
    htmlField,
    field(t('vacation.from'), from, t('vacation.fromHint')),
    field(t('vacation.addresses'), addresses, t('common.listHint')),
    h('div', { class: 'row' }, field(t('vacation.interval'), interval), field(t('vacation.unit'), unit)),
    h('div', { class: 'row' }, field(t('vacation.start'), start), field(t('vacation.end'), end)),
    field(t('vacation.timezone'), zone),
    originalSet,
    forwardField,
    skipSpam.row,
    h('div', { class: 'actions' }, save),
  );
  const form = h('form', { class: 'settings', novalidate: true }, controls, msg.el);
  form.addEventListener('input', () => {
    sync();
    preview();
  });
  form.addEventListener('change', () => {
    sync();
    preview();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    msg.clear();
    const done = await saveSettings<{ script?: string }>('/api/vacation', collect(), form, msg);
    save.disabled = false;
    // script is null when there was nothing to write (turned off, and no script yet).
    if (done) msg.ok(done.script ? t('vacation.saved', { script: done.script }) : t('common.savedNothing'));
  });

  const page = h(
    'section',
    { class: 'page two-columns', 'aria-labelledby': 'page-title' },
    h('h1', { id: 'page-title', tabindex: -1 }, t('nav.vacation')),
    form,
    h(
      'aside',
      { class: 'preview', 'aria-labelledby': 'preview-title' },
      h('h2', { id: 'preview-title' }, t('vacation.preview')),
      previewBox,
    ),
  );
  sync();
  api<VacationSettings>('GET', '/api/vacation').then(
    (s) => {
      fill(s);
      controls.disabled = false;
      preview();
    },
    (e) => {
      controls.disabled = false;
      msg.error(errorText(e));
    },
  );
  return page;
}

function previewView(p: Preview): Node[] {
  const dl = h('dl', { class: 'headers' });
  const row = (list: HTMLElement, name: string, value: string) =>
    list.append(h('dt', {}, name), h('dd', {}, value));
  row(dl, t('vacation.previewFrom'), p.from);
  row(dl, t('vacation.previewTo'), p.to);
  row(dl, t('vacation.previewSubject'), p.subject);
  // A mail reader shows the three above; the rest (Auto-Submitted, In-Reply-To...) is one click away.
  const more = h('dl', { class: 'headers' });
  for (const [name, value] of Object.entries(p.headers ?? {})) {
    if (!/^(from|to|subject)$/i.test(name)) row(more, name, value);
  }
  const all = h('details', {}, h('summary', {}, t('vacation.previewHeaders')), more);
  const out: Node[] = [dl, all, h('pre', { class: 'mail-text' }, p.text)];
  if (p.html) {
    // A sandboxed frame without scripts: the HTML renders as a mail reader would show it.
    const frame = h('iframe', { sandbox: '', title: t('vacation.previewHtml'), class: 'mail-html' });
    frame.srcdoc = p.html;
    out.push(h('h3', {}, t('vacation.previewHtml')), frame);
  }
  return out;
}
