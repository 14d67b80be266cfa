/// <reference lib="dom" />
// Strings live in i18n/<lang>.json; this module picks the language and looks texts up.

export const LANGUAGES = ['en', 'fr'] as const;
export type Lang = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'tamis-webmail-lang';

let strings: Record<string, string> = {};
let english: Record<string, string> = {};
let current: Lang = 'en';

/** The first supported language among the stored choice and the browser's preferences. */
export function pickLanguage(stored: string | null, preferred: readonly string[]): Lang {
  for (const tag of [stored ?? '', ...preferred]) {
    const base = tag.toLowerCase().split('-')[0];
    const found = LANGUAGES.find((l) => l === base);
    if (found) return found;
  }
  return 'en';
}

async function loadStrings(lang: Lang): Promise<Record<string, string>> {
  const res = await fetch(`i18n/${lang}.json`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`i18n/${lang}.json: HTTP ${res.status}`);
  return (await res.json()) as Record<string, string>;
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export async function initLanguage(): Promise<Lang> {
  english = await loadStrings('en');
  return setLanguage(pickLanguage(storedLanguage(), navigator.languages ?? [navigator.language]), false);
}

/** Switches language; `remember` keeps the choice for the next visit. */
export async function setLanguage(lang: Lang, remember = true): Promise<Lang> {
  strings = lang === 'en' ? english : await loadStrings(lang);
  current = lang;
  document.documentElement.lang = lang;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Storage refused (private mode): the choice lasts for this page only.
    }
  }
  return lang;
}

export function language(): Lang {
  return current;
}

/** The text for `key` with `{name}` placeholders filled in; the English text when missing. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const text = strings[key] ?? english[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Whether there is a text for `key` (in this language or in English). */
export function hasText(key: string): boolean {
  return Object.hasOwn(strings, key) || Object.hasOwn(english, key);
}

/** A translation when this language has one for `key`, else `fallback` (the server's English text). */
export function translated(key: string, fallback: string): string {
  return current !== 'en' && Object.hasOwn(strings, key) ? strings[key]! : fallback;
}
