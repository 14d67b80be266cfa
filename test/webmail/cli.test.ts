import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../cli/run-cli.js';
import { startFixture, type Fixture } from '../managesieve/server/fixture.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.stop());

describe('tamis webmail', () => {
  it(
    'serves the API for the ManageSieve server it is given, with the config file, and stops on SIGINT',
    { timeout: 30_000 },
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'tamis-webmail-cli-'));
      const config = path.join(dir, 'tamis.json');
      await writeFile(
        config,
        JSON.stringify({ webmail: { frameAncestors: ['https://mail.example.org'], pageDir: 'pages' } }),
      );
      const child = spawn(
        process.execPath,
        [
          ...cliCommand(),
          'webmail',
          '--config',
          config,
          '--listen',
          '127.0.0.1:0',
          '--managesieve',
          `127.0.0.1:${fx.port}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      try {
        for (let i = 0; i < 200 && !/tamis webmail: http/.test(out); i++)
          await new Promise((r) => setTimeout(r, 100));
        const url = /tamis webmail: (http:\/\/\S+)\//.exec(out)?.[1];
        expect(url, out).toBeTruthy();
        const login = await fetch(`${url}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'alice', password: 'secret' }),
        });
        expect(login.status).toBe(200);
        expect(login.headers.get('content-security-policy')).toContain(
          'frame-ancestors https://mail.example.org',
        );
        // pageDir is relative to the file, and missing: / says the pages are not built.
        expect((await fetch(`${url}/`)).status).toBe(503);
      } finally {
        child.kill('SIGINT');
      }
      expect(await exited).toBe(0);
    },
  );

  it('refuses a bad webmail section with exit status 64', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tamis-webmail-cli-'));
    const config = path.join(dir, 'tamis.json');
    await writeFile(
      config,
      JSON.stringify({ webmail: { frameAncestors: ["'self'; script-src *"], listen: 'nowhere' } }),
    );
    const child = spawn(process.execPath, [...cliCommand(), 'webmail', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(64);
    expect(err).toContain('webmail.frameAncestors[0]');
    expect(err).toContain('webmail.listen');
  });
});
