import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyboardLogin, openPage, useParts, type Page } from './browser.js';
import { canRun } from './parts.js';

// Pictures of every page for docs/webmail.md. Every run takes them; they are written into docs/webmail/
// when TAMIS_SCREENSHOTS=1 and into a temporary folder otherwise, so that an ordinary test run
// leaves the tree as it was. The form is filled with fixed text and dates so they change only when
// the pages do.
const OUT =
  process.env.TAMIS_SCREENSHOTS === '1'
    ? new URL('../../../docs/webmail/', import.meta.url).pathname
    : join(mkdtempSync(join(tmpdir(), 'tamis-shots-')), '/');
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const LOCALES = { en: 'en-US', fr: 'fr-FR' };
const SAMPLE = {
  en: { body: 'I am away until 5 January. Thank you for your patience — Élodie', subject: 'Away:' },
  fr: { body: "Je suis absente jusqu'au 5 janvier. Merci de votre patience — Élodie", subject: 'Absente :' },
};
const SCRIPT =
  'require ["fileinto"];\nif header :contains "subject" "invoice" {\n  fileinto "Invoices";\n}\n';
const BROKEN = 'require ["fileinto"];\nif header :contains "subject" "invoice" {\n  fileinto "Invoices"\n}\n';
const MESSAGE = 'From: bob@example.com\nTo: alice@example.org\nSubject: Your invoice\n\nHello.\n';

describe.skipIf(!canRun)('screenshots of the pages', () => {
  const env = useParts();
  beforeAll(async () => {
    const sieve = await env.parts.sieve();
    await sieve.putScript('filters', SCRIPT);
    await sieve.setActive('filters');
    await sieve.logout();
    mkdirSync(OUT, { recursive: true });
  });

  const shot = async (page: Page, name: string) => {
    // No focus ring or selection in the pictures.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({
      path: `${OUT}${name}.png`,
      fullPage: true,
      animations: 'disabled',
      caret: 'hide',
    });
    // A PNG as wide as the screen (the width is in the IHDR chunk).
    const png = readFileSync(`${OUT}${name}.png`);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(page.viewportSize()!.width);
  };

  for (const [lang, locale] of Object.entries(LOCALES) as Array<[keyof typeof LOCALES, string]>) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      it(`${lang} ${size}`, { timeout: 120_000 }, async () => {
        const page = await openPage(env.browser, env.parts.webmail.url, locale, viewport);
        const tag = `${lang}-${size}`;
        await page.locator('#login-user:focus').waitFor();
        await shot(page, `login-${tag}`);
        await page.locator('#login-user').focus();
        await keyboardLogin(page);

        await page.locator('[data-field=enabled]').check();
        await page.locator('[data-field=subject]').fill(`${SAMPLE[lang].subject} \${subject}`);
        await page.locator('[data-field=body]').fill(SAMPLE[lang].body);
        await page.locator('[data-field=timezone]').selectOption('Europe/Paris');
        await page.locator('[data-field=start]').fill('2026-12-21T08:00');
        await page.locator('[data-field=end]').fill('2027-01-05T18:00');
        await expect
          .poll(() => page.locator('.preview .mail-text').textContent(), { timeout: 10_000 })
          .toContain('Élodie');
        await shot(page, `autoresponder-${tag}`);

        await page.goto(`${env.parts.webmail.url}#/forward`);
        await page.locator('.address-list input').first().waitFor();
        await page.locator('[data-field=enabled]').check();
        await page.locator('.address-list input').first().fill('elodie.martin@example.com');
        await page.locator('form .actions button[type=button]').first().click();
        await page.locator('.address-list input').nth(1).fill('assistant@example.net');
        await shot(page, `forwarding-${tag}`);

        await page.goto(`${env.parts.webmail.url}#/filters`);
        await page.locator('tbody button').first().click();
        await page.locator('textarea.code').fill(BROKEN);
        await page.locator('.marks mark.err').first().waitFor({ state: 'attached', timeout: 10_000 });
        await page.locator('#page-title').focus();
        await shot(page, `filters-${tag}`);

        await page.goto(`${env.parts.webmail.url}#/test`);
        await page.locator('textarea').first().fill(MESSAGE);
        await page.locator('form button[type=submit]').click();
        await page.locator('.trace li').first().waitFor({ timeout: 10_000 });
        await shot(page, `test-message-${tag}`);
        await page.context().close();
      });
    }
  }
});
