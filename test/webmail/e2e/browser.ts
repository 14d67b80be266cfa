import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM, PASSWORD, startParts, USER, type Parts } from './parts.js';

export type { Browser, BrowserContext, Page };

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** A fresh context (own cookies and storage) with the browser's language set, as Accept-Language too. */
export async function openPage(
  browser: Browser,
  base: string,
  locale = 'en-US',
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  const ctx = await browser.newContext({
    locale,
    viewport,
    timezoneId: 'Europe/Paris',
    reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  const problems: string[] = [];
  // A CSP violation or a script error would otherwise pass unseen.
  page.on('pageerror', (e) => problems.push(e.message));
  // Failed loads are judged by their address below (the browser asks for a favicon nobody serves).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.status() === 404 && !path.startsWith('/api/') && path !== '/favicon.ico')
      problems.push(`404 ${path}`);
    if (r.status() >= 500) problems.push(`${r.status()} ${path}`);
  });
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(base);
  return page;
}

export const problemsOf = (page: Page): string[] => (page as Page & { problems: string[] }).problems;

/** Logs in with the keyboard only: the user field has focus, Tab to the password, Enter submits. */
export async function keyboardLogin(page: Page): Promise<void> {
  await page.locator('#login-user:focus').waitFor();
  await page.keyboard.type(USER);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('nav').waitFor();
}

/** Presses Tab until the element matching `selector` has focus; fails after `max` presses. */
export async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} not reached with Tab`);
}

/** The focused element's outline: visible focus means a style other than none. */
export function focusOutline(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const s = getComputedStyle(el);
    return `${s.outlineStyle} ${s.outlineWidth}`;
  });
}

/** Starts the parts and a browser before the calling describe block's tests, and stops them after. */
export function useParts(): { parts: Parts; browser: Browser } {
  const env = {} as { parts: Parts; browser: Browser };
  beforeAll(async () => {
    env.parts = await startParts();
    env.browser = await launch();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.parts?.close();
  });
  return env;
}
