import { describe, expect, it } from 'vitest';
import { keyboardLogin, openPage, problemsOf, useParts } from './browser.js';
import { canRun, USER } from './parts.js';
import { startPrefixProxy } from './prefix-proxy.js';

describe.skipIf(!canRun)(
  'webmail pages with scripts they do not fully understand, bad input, markup in texts and small screens',
  () => {
    const env = useParts();

    const activeScript = async () => {
      const c = await env.parts.sieve();
      const name = (await c.listScripts()).find((s) => s.active)!.name;
      const text = await c.getScript(name);
      await c.logout();
      return text;
    };

    it(
      'shows what would change before overwriting a rule it cannot read, and saves only when told',
      { timeout: 60_000 },
      async () => {
        const c = await env.parts.sieve();
        const original = 'require ["vacation"];\nvacation :days 3 :handle "trip" "Away on a trip.";\n';
        await c.putScript('own', original);
        await c.setActive('own');
        await c.logout();
        const page = await openPage(env.browser, env.parts.webmail.url);
        await keyboardLogin(page);
        await page.locator('.preview .mail-text, .preview .message').first().waitFor();
        await page.getByLabel('Send automatic replies').check();
        await page.getByLabel('Message', { exact: true }).fill('Back on Monday.');
        await page.getByRole('button', { name: 'Save' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        expect(await dialog.locator('.diff-add').allTextContents()).toEqual(
          expect.arrayContaining([expect.stringContaining('Back on Monday.')]),
        );
        expect(await dialog.locator('.diff-del').allTextContents()).toEqual(
          expect.arrayContaining([expect.stringContaining(':handle')]),
        );
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        expect(await activeScript()).toBe(original);

        await page.getByRole('button', { name: 'Save' }).click();
        await dialog.getByRole('button', { name: 'Save anyway' }).click();
        await expect
          .poll(() => page.locator('form .message').last().textContent(), { timeout: 10_000 })
          .toMatch(/Autoresponder saved/);
        const now = await activeScript();
        expect(now).toContain('Back on Monday.');
        expect(now).not.toContain(':handle');
        await page.context().close();
      },
    );

    it('shows names and texts with markup in them as text', { timeout: 60_000 }, async () => {
      const hostile = '<img src=x onerror="window.pwned=1">';
      const c = await env.parts.sieve();
      await c.putScript(hostile, 'keep;\n');
      await c.logout();
      const page = await openPage(env.browser, env.parts.webmail.url);
      await keyboardLogin(page);
      await page.getByLabel('Message', { exact: true }).fill(`<b>bold</b> ${hostile}`);
      await expect
        .poll(() => page.locator('.preview .mail-text').textContent(), { timeout: 10_000 })
        .toContain(hostile);
      await page.getByRole('link', { name: 'Filters' }).click();
      await expect.poll(() => page.locator('tbody th').allTextContents()).toContain(hostile);
      expect(await page.locator('main img, main b').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      await page.context().close();
    });

    it('fits a 360 px wide screen on every page', { timeout: 60_000 }, async () => {
      const page = await openPage(env.browser, env.parts.webmail.url, 'fr-FR', { width: 360, height: 740 });
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await page.locator('#login-user').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await keyboardLogin(page);
      for (const route of ['vacation', 'forward', 'filters', 'test']) {
        await page.goto(`${env.parts.webmail.url}#/${route}`);
        await page.locator('#page-title').waitFor();
        await page.waitForTimeout(300);
        expect(await overflow(), route).toBeLessThanOrEqual(0);
      }
      await page.context().close();
    });

    it('goes back to the login form when the session is gone', { timeout: 30_000 }, async () => {
      const page = await openPage(env.browser, env.parts.webmail.url);
      await keyboardLogin(page);
      await page.context().clearCookies();
      await page.getByRole('link', { name: 'Forwarding' }).click();
      await page.locator('#login-user').waitFor({ timeout: 10_000 });
      await expect.poll(() => page.locator('#status').textContent()).toMatch(/session has ended/);
      await page.context().close();
    });

    it('previews the HTML version in a frame without scripts', { timeout: 30_000 }, async () => {
      const page = await openPage(env.browser, env.parts.webmail.url);
      await keyboardLogin(page);
      await page.getByLabel('Message', { exact: true }).fill('Bonjour Élodie');
      await page.getByLabel('Also send an HTML version').check();
      await page
        .getByLabel('HTML version', { exact: true })
        .fill('<p>Bonjour <b>Élodie</b></p><script>parent.pwned = 1</script>');
      const frame = page.frameLocator('iframe.mail-html');
      await expect.poll(() => frame.locator('b').textContent(), { timeout: 10_000 }).toBe('Élodie');
      expect(await page.locator('iframe.mail-html').getAttribute('sandbox')).toBe('');
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      // The frame's own script is refused by the sandbox, which Chromium reports; nothing else may fail.
      expect(problemsOf(page).filter((p) => !p.startsWith('Blocked script execution'))).toEqual([]);
      await page.context().close();
    });

    it('names a bad address, marks its field and keeps what was typed', { timeout: 30_000 }, async () => {
      const page = await openPage(env.browser, env.parts.webmail.url, 'fr-FR');
      await keyboardLogin(page);
      await page.getByRole('link', { name: 'Transfert' }).click();
      await page.getByLabel('Transférer le courrier entrant').check();
      await page.getByLabel('Adresse 1', { exact: true }).fill('pas une adresse');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      const message = page.locator('form .message.error');
      await expect.poll(() => message.textContent(), { timeout: 10_000 }).toContain('adresse invalide');
      expect(await message.getAttribute('aria-live')).toBe('assertive');
      expect(await page.getByLabel('Adresse 1', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Adresse 1', { exact: true }).inputValue()).toBe('pas une adresse');
      await page.context().close();
    });

    it('works under a path prefix behind a reverse proxy', { timeout: 30_000 }, async () => {
      const proxy = await startPrefixProxy(env.parts.webmail.url, '/settings/');
      try {
        const page = await openPage(env.browser, proxy.url);
        await keyboardLogin(page);
        await page.getByRole('link', { name: 'Filters' }).click();
        await expect.poll(() => page.locator('tbody th').count(), { timeout: 10_000 }).toBeGreaterThan(0);
        expect(problemsOf(page)).toEqual([]);
        await page.context().close();
      } finally {
        await proxy.close();
      }
    });

    it(
      'says so when the active script does not compile, and offers no overwrite',
      { timeout: 30_000 },
      async () => {
        // Written to the store directly: the ManageSieve server would refuse it.
        await env.parts.managesieve.store.put(USER, 'typo', Buffer.from('require "vacation";\nif true {\n'));
        await env.parts.managesieve.store.setActive(USER, 'typo');
        const page = await openPage(env.browser, env.parts.webmail.url);
        await keyboardLogin(page);
        const message = page.locator('form .message');
        await expect
          .poll(() => message.textContent(), { timeout: 10_000 })
          .toMatch(/active script has errors/);
        await page.getByLabel('Message', { exact: true }).fill('Away.');
        await page.getByRole('button', { name: 'Save' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        expect(await dialog.locator('.problems li').first().textContent()).toMatch(
          /Error at line \d+, column \d+/,
        );
        expect(await dialog.getByRole('button', { name: 'Save anyway' }).count()).toBe(0);
        await dialog.getByRole('button', { name: 'Close' }).click();
        expect((await env.parts.managesieve.store.get(USER, 'typo'))?.toString()).toContain('if true {');
        await page.context().close();
      },
    );
  },
);
