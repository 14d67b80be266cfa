import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManageSieveClient } from '../../src/managesieve/client/index.js';
import { createWebmailServer, type WebmailServer } from '../../src/webmail/index.js';
import {
  dovecotAvailable,
  dovecotSkipReason,
  startDovecot,
  type DovecotServer,
} from '../managesieve/helpers/dovecot.js';
import { Browser } from './stack.js';

describe.skipIf(!dovecotAvailable())(
  `the webmail in front of Dovecot's managesieved ${dovecotSkipReason}`,
  () => {
    let dovecot: DovecotServer;
    let web: WebmailServer;
    let origin: string;
    beforeAll(async () => {
      dovecot = await startDovecot({ users: [{ user: 'alice', password: '{PLAIN}secret' }] });
      web = createWebmailServer({
        managesieve: { host: dovecot.host, port: dovecot.port },
        loginThrottle: { baseDelayMs: 0 },
      });
      origin = (await web.listen(0, '127.0.0.1')).url.replace(/\/$/, '');
    }, 30_000);
    afterAll(async () => {
      await web?.close();
      await dovecot?.stop();
    });

    it('logs in, writes the vacation rule, and Pigeonhole accepts and activates the script', async () => {
      const b = new Browser(origin);
      expect((await b.login('alice', 'wrong')).status).toBe(401);
      const login = await b.login('alice', 'secret');
      expect(login.status).toBe(200);
      expect(login.body.extensions).toContain('vacation');
      // Pigeonhole offers no spamtest by default, so the rule goes without the spam check, and the
      // answer says so.
      const settings = { enabled: true, subject: 'Away', body: 'Back on Monday.', days: 2 };
      const r = await b.put('/api/vacation', settings);
      expect(r.status).toBe(200);
      expect(r.body.script).toBe('managesieve');
      expect(r.body.settings.skipSpam).toBe(false);
      expect((await b.get('/api/vacation')).body).toMatchObject({ ...settings, skipSpam: false });
      const c = await ManageSieveClient.connect(dovecot.host, dovecot.port);
      try {
        await c.authenticate('PLAIN', 'alice', 'secret');
        expect(await c.listScripts()).toEqual([{ name: 'managesieve', active: true }]);
        expect(await c.getScript('managesieve')).toContain('vacation :days 2');
      } finally {
        c.destroy();
      }
    });
  },
);
