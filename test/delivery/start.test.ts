import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../cli/run-cli.js';
import { hasDovecot, tempDir, withDoveadm } from './helpers.js';

function cli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...cliCommand(), ...args],
      { cwd, env: { ...process.env, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

describe('tamis start', () => {
  it(
    'runs ManageSieve, LMTP and the webmail on one data folder with a demo user, and stops cleanly',
    { timeout: 60_000 },
    async () => {
      const cwd = tempDir();
      const child = spawn(
        process.execPath,
        [
          ...cliCommand(),
          'start',
          '--managesieve-listen',
          '127.0.0.1:0',
          '--lmtp-listen',
          '127.0.0.1:0',
          '--webmail-listen',
          '127.0.0.1:0',
        ],
        {
          cwd,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      try {
        for (let i = 0; i < 200 && !out.includes('Ctrl-C stops'); i++)
          await new Promise((r) => setTimeout(r, 100));
        const ms = /ManageSieve {2}127\.0\.0\.1:(\d+)/.exec(out);
        const lmtpPort = Number(/LMTP {9}127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
        const password = /demo user {4}demo, password (\S+)/.exec(out)?.[1];
        expect(ms && lmtpPort && password, out).toBeTruthy();

        // The webmail logs in to the ManageSieve server started with it.
        const webmail = /webmail {6}(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
        expect(webmail, out).toBeTruthy();
        const login = await fetch(`${webmail}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'demo', password }),
        });
        expect(login.status).toBe(200);
        expect(((await login.json()) as { user: string }).user).toBe('demo');

        const script = join(cwd, 'filter.sieve');
        writeFileSync(
          script,
          'require ["fileinto", "mailbox"];\nif header :contains "subject" "report" { fileinto :create "Reports"; }\n',
        );
        const client = [
          'sieve-client',
          '--port',
          ms![1]!,
          '--user',
          'demo',
          '--password-env',
          'PW',
          '--insecure',
        ];
        expect((await cli([...client, 'put', 'main', script], { PW: password! }, cwd)).code).toBe(0);
        expect((await cli([...client, 'activate', 'main'], { PW: password! }, cwd)).code).toBe(0);

        const t = nodemailer.createTransport({
          lmtp: true,
          host: '127.0.0.1',
          port: lmtpPort,
          ignoreTLS: true,
        });
        const sent = await t.sendMail({
          envelope: { from: 'you@example.org', to: ['demo@localhost'] },
          raw: 'Subject: monthly report\r\nMessage-ID: <r1@example.org>\r\n\r\nnumbers\r\n',
        });
        t.close();
        expect(sent.accepted).toEqual(['demo@localhost']);
        expect(out).toContain("lmtp(demo): msgid=<r1@example.org>: stored mail into mailbox 'Reports'");
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      if (hasDovecot) {
        const fetched = await withDoveadm(join(cwd, 'tamis-data', 'home', 'demo', 'Maildir'), (fetch) =>
          fetch('mailbox hdr.subject'),
        );
        expect(fetched).toContain('mailbox: Reports\nhdr.subject: monthly report');
      }
    },
  );
});
