import { describe, expect, it } from 'vitest';
import { offsetOf } from '../../../src/webmail/page/editor.js';
import { isoToLocal } from '../../../src/webmail/page/zoned-time.js';
import { focusOutline, keyboardLogin, openPage, problemsOf, tabTo, useParts, type Page } from './browser.js';
import { parseMail } from './mail.js';
import { ADDRESS, canRun } from './parts.js';

const BODY = "Je suis absente jusqu'au 5 janvier. Merci de votre patience — Élodie";

describe.skipIf(!canRun)(
  'webmail settings pages in Chromium, against real ManageSieve, LMTP and SMTP',
  () => {
    const env = useParts();

    const saved = async (page: Page, text: RegExp) => {
      await expect
        .poll(() => page.locator('form .message').last().textContent(), { timeout: 10_000 })
        .toMatch(text);
    };

    it(
      'sets a vacation, replies with it, turns it off, then forwards with a local copy',
      { timeout: 90_000 },
      async () => {
        const page = await openPage(env.browser, env.parts.webmail.url);
        await keyboardLogin(page);
        await expect.poll(() => page.locator('h1').textContent()).toBe('Autoresponder');

        await page.getByLabel('Send automatic replies').check();
        await page.getByLabel('Subject of the reply').fill('Absente');
        await page.getByLabel('Include the original subject').check();
        expect(await page.getByLabel('Subject of the reply').inputValue()).toBe('Absente ${subject}');
        await page.getByLabel('Message', { exact: true }).fill(BODY);
        await page.getByLabel('My other addresses (optional)').fill(ADDRESS);
        await page.getByLabel('Reply to the same sender at most once every').fill('1');
        const now = Date.now();
        await page.getByLabel('Time zone of these dates').selectOption('Europe/Paris');
        await page
          .getByLabel('From (optional)')
          .fill(isoToLocal(new Date(now - 3600_000).toISOString(), 'Europe/Paris')!);
        await page
          .getByLabel('Until (optional)')
          .fill(isoToLocal(new Date(now + 2 * 86400_000).toISOString(), 'Europe/Paris')!);
        // The preview shows the reply, accents and all, before anything is saved.
        await expect
          .poll(() => page.locator('.preview .mail-text').textContent(), { timeout: 10_000 })
          .toContain('Élodie');
        await page.getByRole('button', { name: 'Save' }).click();
        await saved(page, /Autoresponder saved/);

        // What the server wrote is a valid, active script with the vacation in it.
        const sieve = await env.parts.sieve();
        const active = (await sieve.listScripts()).find((s) => s.active);
        expect(active).toBeDefined();
        const script = await sieve.getScript(active!.name);
        await sieve.checkScript(script);
        expect(script).toContain('vacation');
        expect(script).toContain('Élodie');
        await sieve.logout();

        const id = await env.parts.deliver('carol@example.net', 'Project meeting');
        const [reply] = await env.parts.sentTo('carol@example.net');
        expect(reply, 'a reply reached the relay').toBeDefined();
        const mail = parseMail(reply!);
        expect(mail.header('auto-submitted')).toMatch(/^auto-replied/);
        expect(mail.header('in-reply-to')).toBe(id);
        expect(mail.header('to')).toContain('carol@example.net');
        expect(mail.header('subject')).toBe('Absente Project meeting');
        expect(mail.text.replace(/\r\n/g, '\n')).toContain(BODY);
        expect(env.parts.peer.received.find((m) => m.to.includes('carol@example.net'))!.from).toBe('');

        // Off: a new sender gets nothing, and the message is still delivered.
        await page.getByLabel('Send automatic replies').uncheck();
        await page.getByRole('button', { name: 'Save' }).click();
        await saved(page, /Autoresponder saved/);
        const before = (await env.parts.inbox()).length;
        await env.parts.deliver('dave@example.net', 'Are you there');
        await expect.poll(async () => (await env.parts.inbox()).length).toBe(before + 1);
        expect(await env.parts.sentTo('dave@example.net', 1, 2000)).toEqual([]);

        await page.getByRole('link', { name: 'Forwarding' }).click();
        await expect.poll(() => page.locator('h1').textContent()).toBe('Forwarding');
        await page.getByLabel('Forward incoming mail').check();
        await page.getByLabel('Address 1', { exact: true }).fill('fwd1@example.com');
        await page.getByRole('button', { name: 'Add an address' }).click();
        await page.getByLabel('Address 2', { exact: true }).fill('fwd2@example.net');
        await page.getByLabel('Keep a copy in my mailbox').check();
        await page.getByRole('button', { name: 'Save' }).click();
        await saved(page, /Forwarding saved/);

        await env.parts.deliver('erin@example.net', 'Forward me');
        expect(await env.parts.sentTo('fwd1@example.com')).toHaveLength(1);
        expect(await env.parts.sentTo('fwd2@example.net')).toHaveLength(1);
        expect((await env.parts.sentTo('fwd1@example.com'))[0]).toContain('Subject: Forward me');
        await expect
          .poll(async () => (await env.parts.inbox()).some((m) => m.includes('Subject: Forward me')))
          .toBe(true);
        expect(problemsOf(page)).toEqual([]);
        await page.context().close();
      },
    );

    it('logs in and saves with the keyboard alone, with a visible focus', { timeout: 60_000 }, async () => {
      const page = await openPage(env.browser, env.parts.webmail.url);
      await keyboardLogin(page);
      // The form is filled from the server, then previewed: wait for that before typing.
      await page.locator('.preview .mail-text, .preview .message').first().waitFor();
      await page.keyboard.press('Tab');
      expect(await focusOutline(page)).toMatch(/^solid [1-9]/);
      await tabTo(page, '[data-field=body]');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('Back on Monday.');
      await tabTo(page, 'form button[type=submit]');
      expect(await focusOutline(page)).toMatch(/^solid [1-9]/);
      await page.keyboard.press('Enter');
      await saved(page, /Autoresponder saved/);
      expect(await page.locator('form .message').last().getAttribute('aria-live')).toBe('polite');
      // Moving to another page by keyboard puts focus on its title.
      await tabTo(page, 'nav a[href="#/forward"]');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('page-title');
      expect(await page.locator('h1').textContent()).toBe('Forwarding');
      await page.context().close();
    });

    it(
      'marks the position of an error in the filter editor and refuses to save it',
      { timeout: 60_000 },
      async () => {
        const page = await openPage(env.browser, env.parts.webmail.url);
        await keyboardLogin(page);
        await page.getByRole('link', { name: 'Filters' }).click();
        await page.getByLabel('Name of a new script').fill('broken');
        await page.getByRole('button', { name: 'Create' }).click();
        const editor = page.getByLabel('Sieve script broken');
        await editor.fill('require "fileinto";\nif true {\n  fileinto "Archive"\n}\n');
        const problem = page.locator('.problems button').first();
        await expect.poll(() => problem.textContent(), { timeout: 10_000 }).toMatch(/line [34], column \d+/);
        expect(await page.locator('.marks mark.err').count()).toBeGreaterThan(0);
        expect(await editor.getAttribute('aria-invalid')).toBe('true');
        await problem.click();
        const caret = await editor.evaluate((el: HTMLTextAreaElement) => el.selectionStart);
        const at = [
          Number(await problem.getAttribute('data-line')),
          Number(await problem.getAttribute('data-column')),
        ] as const;
        expect(caret).toBe(offsetOf(await editor.inputValue(), at[0], at[1]));
        expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
        await page.getByRole('button', { name: 'Save' }).click();
        await expect.poll(() => page.locator('.editor-box .message.error').count()).toBe(1);

        await editor.fill('require "fileinto";\nif true {\n  fileinto "Archive";\n}\n');
        await expect
          .poll(() => page.locator('.check-status').textContent(), { timeout: 10_000 })
          .toBe('The script is valid.');
        await page.getByRole('button', { name: 'Save' }).click();
        await expect.poll(() => page.locator('.editor-box .message').textContent()).toMatch(/saved/);
        await expect.poll(() => page.locator('tbody th').allTextContents()).toContain('broken');
        await page.context().close();
      },
    );

    it(
      'tests a message against the active script and shows actions and trace',
      { timeout: 60_000 },
      async () => {
        const sieve = await env.parts.sieve();
        await sieve.putScript(
          'sorting',
          'require "fileinto";\nif header :contains "subject" "hello" {\n  fileinto "Greetings";\n}\n',
        );
        await sieve.setActive('sorting');
        await sieve.logout();
        const page = await openPage(env.browser, env.parts.webmail.url);
        await keyboardLogin(page);
        await page.getByRole('link', { name: 'Test a message' }).click();
        await page.getByLabel('Load a .eml file').setInputFiles({
          name: 'hello.eml',
          mimeType: 'message/rfc822',
          buffer: Buffer.from(
            'From: zoe@example.net\r\nTo: alice@example.org\r\nSubject: Hello\r\n\r\nHi\r\n',
          ),
        });
        await expect
          .poll(() => page.getByLabel('Message (headers and body)').inputValue())
          .toContain('Subject: Hello');
        await page.getByRole('button', { name: 'Test with my active script' }).click();
        await expect
          .poll(() => page.locator('.actions-list').textContent(), { timeout: 10_000 })
          .toContain('Greetings');
        const trace = await page.locator('.trace').textContent();
        expect(trace).toContain(':contains');
        expect(trace).toContain('"Hello" with "hello": yes');
        await page.context().close();
      },
    );

    it(
      'speaks French when the browser asks for it, and remembers a switch to English',
      { timeout: 60_000 },
      async () => {
        const page = await openPage(env.browser, env.parts.webmail.url, 'fr-FR');
        await expect.poll(() => page.locator('h1').textContent()).toBe('Connexion');
        expect(await page.getAttribute('html', 'lang')).toBe('fr');
        await keyboardLogin(page);
        await expect.poll(() => page.locator('h1').textContent()).toBe('Répondeur automatique');
        expect(await page.getByRole('navigation').textContent()).toContain('Tester un message');
        await page.getByLabel('Langue').selectOption('en');
        await expect.poll(() => page.locator('h1').textContent()).toBe('Autoresponder');
        await page.reload();
        await expect.poll(() => page.locator('h1').textContent()).toBe('Autoresponder');
        await page.context().close();
      },
    );

    it('refuses a wrong password with a message in the page', { timeout: 30_000 }, async () => {
      const page = await openPage(env.browser, env.parts.webmail.url);
      await page.getByLabel('User name').fill('alice');
      await page.getByLabel('Password').fill('wrong');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect
        .poll(() => page.locator('form .message').textContent(), { timeout: 10_000 })
        .toMatch(/Wrong user name or password|rate/i);
      expect(await page.locator('nav').count()).toBe(0);
      await page.context().close();
    });

    it(
      'activates, deactivates and deletes scripts, deleting only once confirmed',
      { timeout: 60_000 },
      async () => {
        const page = await openPage(env.browser, env.parts.webmail.url);
        await keyboardLogin(page);
        await page.getByRole('link', { name: 'Filters' }).click();
        const row = (name: string) =>
          page.locator('tbody tr', { has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) });
        const scripts = async () => {
          const c = await env.parts.sieve();
          const list = await c.listScripts();
          await c.logout();
          return list;
        };
        await row('broken').getByRole('button', { name: 'Activate' }).click();
        await expect.poll(async () => (await scripts()).find((s) => s.active)?.name).toBe('broken');
        await expect.poll(() => row('broken').textContent()).toContain('Active');
        await row('broken').getByRole('button', { name: 'Deactivate' }).click();
        await expect.poll(async () => (await scripts()).some((s) => s.active)).toBe(false);
        // The server changes before the page shows its reply: wait for the page too.
        await expect
          .poll(() => page.locator('.page > .message').textContent())
          .toBe('No script is active any more.');

        await row('broken').getByRole('button', { name: 'Delete' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
        expect((await scripts()).map((s) => s.name)).toContain('broken');
        await row('broken').getByRole('button', { name: 'Delete' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
        await expect.poll(async () => (await scripts()).map((s) => s.name)).not.toContain('broken');
        await expect.poll(() => row('broken').count()).toBe(0);
        await page.context().close();
      },
    );
  },
);
