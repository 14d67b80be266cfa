/// <reference lib="dom" />
// The settings app: log in, then one page per hash route (#/vacation, #/forward, #/filters, #/test).
import { api, onSessionLost, setCsrfToken, type SessionInfo } from './api.js';
import { h, replace } from './dom.js';
import { filtersPage } from './filters.js';
import { forwardPage } from './forward.js';
import { initLanguage, language, LANGUAGES, setLanguage, t, type Lang } from './i18n.js';
import { errorText, messageLine } from './messages.js';
import { testMessagePage } from './test-message.js';
import { vacationPage } from './vacation.js';

const ROUTES = ['vacation', 'forward', 'filters', 'test'] as const;
type Route = (typeof ROUTES)[number];

let session: SessionInfo | null = null;

function currentRoute(): Route {
  const name = location.hash.replace(/^#\//, '');
  return ROUTES.find((r) => r === name) ?? 'vacation';
}

function status(text: string): void {
  const el = document.getElementById('status');
  if (el) el.textContent = text;
}

function header(): void {
  const top = document.getElementById('top')!;
  const langSelect = h('select', { id: 'lang' });
  for (const l of LANGUAGES) langSelect.append(h('option', { value: l, lang: l }, t(`lang.${l}`)));
  langSelect.value = language();
  langSelect.addEventListener('change', async () => {
    await setLanguage(langSelect.value as Lang);
    render();
    document.getElementById('lang')?.focus();
    status(t('lang.changed'));
  });
  const lang = h('div', { class: 'lang' }, h('label', { for: 'lang' }, t('lang.label')), langSelect);
  const brand = h('p', { class: 'brand' }, t('app.title'));
  if (!session) return replace(top, brand, lang);
  const nav = h('nav', { 'aria-label': t('nav.label') });
  const ul = h('ul', {});
  const here = currentRoute();
  for (const r of ROUTES) {
    const a = h('a', { href: `#/${r}`, 'aria-current': r === here ? 'page' : undefined }, t(`nav.${r}`));
    ul.append(h('li', {}, a));
  }
  nav.append(ul);
  const logout = h('button', { type: 'button', class: 'link' }, t('login.logout'));
  logout.addEventListener('click', async () => {
    try {
      await api('POST', '/api/logout');
    } catch {
      // The session is dropped on this side either way.
    }
    session = null;
    setCsrfToken('');
    render();
    status(t('login.loggedOut'));
  });
  const who = h('div', { class: 'who' }, h('span', {}, t('login.as', { user: session.user })), logout);
  replace(top, brand, nav, h('div', { class: 'tools' }, who, lang));
}

function loginPage(): HTMLElement {
  const user = h('input', {
    type: 'text',
    id: 'login-user',
    name: 'user',
    autocomplete: 'username',
    required: true,
  });
  const password = h('input', {
    type: 'password',
    id: 'login-password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const msg = messageLine();
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h(
    'form',
    { class: 'settings login' },
    h('div', { class: 'field' }, h('label', { for: user.id }, t('login.user')), user),
    h('div', { class: 'field' }, h('label', { for: password.id }, t('login.password')), password),
    h('div', { class: 'actions' }, submit),
    msg.el,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.clear();
    submit.disabled = true;
    try {
      const s = await api<SessionInfo>('POST', '/api/login', {
        user: user.value.trim(),
        password: password.value,
      });
      password.value = '';
      startSession(s);
      status(t('login.welcome', { user: s.user }));
    } catch (e) {
      msg.error(errorText(e));
      password.select();
    }
    submit.disabled = false;
  });
  setTimeout(() => user.focus(), 0);
  return h(
    'section',
    { class: 'page narrow', 'aria-labelledby': 'page-title' },
    h('h1', { id: 'page-title', tabindex: -1 }, t('login.title')),
    h('p', { class: 'hint' }, t('login.intro')),
    form,
  );
}

function startSession(s: SessionInfo): void {
  session = s;
  setCsrfToken(s.csrfToken);
  if (!location.hash.startsWith('#/')) history.replaceState(null, '', '#/vacation');
  render();
}

function pageFor(route: Route, s: SessionInfo): HTMLElement {
  switch (route) {
    case 'vacation':
      return vacationPage(s);
    case 'forward':
      return forwardPage(s);
    case 'filters':
      return filtersPage();
    case 'test':
      return testMessagePage();
  }
}

/** Draws the header and the current page, and moves focus to the page title on navigation. */
function render(focusTitle = false): void {
  header();
  const main = document.getElementById('main')!;
  const route = currentRoute();
  replace(main, session ? pageFor(route, session) : loginPage());
  document.title = `${session ? t(`nav.${route}`) : t('login.title')} · ${t('app.title')}`;
  if (focusTitle) document.getElementById('page-title')?.focus();
}

async function main(): Promise<void> {
  try {
    await initLanguage();
  } catch (e) {
    replace(document.getElementById('main')!, h('p', { role: 'alert' }, String(e)));
    return;
  }
  const skip = document.getElementById('skip')!;
  skip.textContent = t('app.skip');
  // The skip link must not change the hash, which holds the route.
  skip.addEventListener('click', (ev) => {
    ev.preventDefault();
    document.getElementById('main')?.focus();
  });
  onSessionLost(() => {
    if (!session) return;
    session = null;
    setCsrfToken('');
    render();
    status(t('error.not_logged_in'));
  });
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#/')) render(true);
  });
  try {
    startSession(await api<SessionInfo>('GET', '/api/session'));
  } catch (e) {
    render();
    const code = (e as { status?: number }).status;
    if (code !== 401) status(errorText(e));
  }
}

void main();
