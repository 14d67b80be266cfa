import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserDirectory } from '../../../src/accounts/index.js';
import { createManageSieveServer, type ManageSieveLogger } from '../../../src/managesieve/index.js';
import { b64, lit, RawClient } from './raw-client.js';
import { startFixture, type Fixture } from './fixture.js';

const plain = (user: string, password: string): string =>
  `AUTHENTICATE "PLAIN" "${b64(`\0${user}\0${password}`)}"\r\n`;

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

/** One user, alice/secret; each password check takes a few ms, like a real hash, and is counted. */
function slowDirectory(): UserDirectory & { checks: number } {
  const dir = {
    checks: 0,
    supportsScram: false,
    exists: async (u: string) => u === 'alice',
    verifyPassword: async (u: string, p: string) => {
      dir.checks++;
      await sleep(5);
      return u === 'alice' && p === 'secret';
    },
    scramSha256: async () => null,
  };
  return dir;
}

function recordingLogger(): ManageSieveLogger & { lines: { level: string; text: string }[] } {
  const lines: { level: string; text: string }[] = [];
  return {
    lines,
    info: (text) => lines.push({ level: 'info', text }),
    warn: (text) => lines.push({ level: 'warn', text }),
    error: (text) => lines.push({ level: 'error', text }),
  };
}

describe('ManageSieve server: limits a hostile client runs into', () => {
  let fx: Fixture;
  afterEach(async () => {
    await fx.stop();
  });

  it('keeps the per-user lock-out when 300 connections guess in parallel', async () => {
    const directory = slowDirectory();
    fx = await startFixture({
      server: { directory, limits: { maxConnectionsPerAddress: 1000 }, authThrottle: { baseDelayMs: 0 } },
    });
    const clients = await Promise.all(Array.from({ length: 300 }, () => RawClient.connect(fx.port)));
    await Promise.all(clients.map((c) => c.readReply()));
    // 299 wrong guesses at once, the right password last.
    clients.forEach((c, i) => c.send(plain('alice', i === 299 ? 'secret' : `guess${i}`)));
    const replies = await Promise.all(clients.map((c) => c.readReply()));
    expect(directory.checks).toBeLessThanOrEqual(10);
    expect(replies.filter((r) => r.result.kind === 'OK')).toHaveLength(0);
    expect(replies[299]!.result.code).toBe('TRYLATER');
    for (const c of clients) c.close();
  }, 30_000);

  it('lets 200 parallel logins of one user with the right password all through', async () => {
    const directory = slowDirectory();
    fx = await startFixture({
      server: { directory, limits: { maxConnectionsPerAddress: 1000 }, authThrottle: { baseDelayMs: 0 } },
    });
    const clients = await Promise.all(Array.from({ length: 200 }, () => RawClient.connect(fx.port)));
    await Promise.all(clients.map((c) => c.readReply()));
    const replies = await Promise.all(clients.map((c) => c.cmd(plain('alice', 'secret'))));
    expect(replies.map((r) => r.result.kind)).toEqual(clients.map(() => 'OK'));
    expect(directory.checks).toBe(200);
    expect(fx.server.throttle.inFlight).toBe(0);
    for (const c of clients) c.close();
  }, 30_000);

  it('locks a user out after 10 failures one after another, and lets good logins through', async () => {
    const directory = slowDirectory();
    fx = await startFixture({ server: { directory, authThrottle: { baseDelayMs: 0 } } });
    // Logins that succeed give their attempt back: more than the address limit of 30 pass.
    for (let i = 0; i < 35; i++) {
      const c = await RawClient.connect(fx.port);
      await c.readReply();
      expect((await c.cmd(plain('alice', 'secret'))).result.kind).toBe('OK');
      c.close();
    }
    for (let i = 0; i < 10; i++) {
      const c = await RawClient.connect(fx.port);
      await c.readReply();
      const r = await c.cmd(plain('alice', `wrong${i}`));
      expect([r.result.kind, r.result.code]).toEqual(['NO', null]);
      c.close();
    }
    const checks = directory.checks;
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    const r = await c.cmd(plain('alice', 'secret'));
    expect([r.result.kind, r.result.code]).toEqual(['NO', 'TRYLATER']);
    expect(directory.checks).toBe(checks);
    c.close();
  });

  it('ends an unauthenticated connection at the login deadline however it trickles bytes', async () => {
    fx = await startFixture({ server: { limits: { loginTimeoutMs: 600, preAuthTimeoutMs: 400 } } });
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    const started = Date.now();
    let trickling = true;
    const trickle = (async () => {
      c.send('NOOP "');
      while (trickling) {
        await sleep(100);
        c.send('x');
      }
    })();
    const r = await c.readReply();
    trickling = false;
    await trickle;
    expect(r.result.kind).toBe('BYE');
    expect(r.result.message).toMatch(/login time/i);
    expect(await c.closed()).toBe(true);
    // Generous bound: without the deadline it never ends.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('has no login deadline after login, and starts a new one after UNAUTHENTICATE', async () => {
    fx = await startFixture({ server: { limits: { loginTimeoutMs: 300 } } });
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    expect((await c.cmd(plain('alice', 'secret'))).result.kind).toBe('OK');
    await sleep(500);
    expect((await c.cmd('NOOP "still"\r\n')).result.codeArg).toBe('still');
    expect((await c.cmd('UNAUTHENTICATE\r\n')).result.kind).toBe('OK');
    const r = await c.readReply();
    expect([r.result.kind, r.result.message]).toEqual(['BYE', 'Login time exceeded.']);
  });

  it('limits open connections per client address', async () => {
    fx = await startFixture({ server: { limits: { maxConnectionsPerAddress: 3 } } });
    const open = await Promise.all([1, 2, 3].map(() => RawClient.connect(fx.port)));
    for (const c of open) expect((await c.readReply()).result.kind).toBe('OK');
    const extra = await RawClient.connect(fx.port);
    const r = await extra.readReply();
    expect([r.result.kind, r.result.code]).toEqual(['BYE', 'TRYLATER']);
    expect(await extra.closed()).toBe(true);
    expect(fx.server.connections).toBe(3);
    open[0]!.close();
    await waitFor(() => fx.server.connections === 2);
    const again = await RawClient.connect(fx.port);
    expect((await again.readReply()).result.kind).toBe('OK');
    for (const c of [...open, again]) c.close();
  });

  it('refuses script names too long for a file name with a definitive NO naming the limit', async () => {
    fx = await startFixture();
    const c = await RawClient.connect(fx.port);
    await c.readReply();
    await c.cmd(plain('alice', 'secret'));
    expect((await c.cmd('PUTSCRIPT "short" "keep;"\r\n')).result.kind).toBe('OK');
    for (const name of ['x'.repeat(256), 'é'.repeat(128), 'x'.repeat(250)]) {
      const nameLit = lit(name);
      for (const cmd of [
        Buffer.concat([Buffer.from('PUTSCRIPT '), nameLit, Buffer.from(' "keep;"\r\n')]),
        Buffer.concat([Buffer.from('RENAMESCRIPT "short" '), nameLit, Buffer.from('\r\n')]),
        Buffer.concat([Buffer.from('HAVESPACE '), nameLit, Buffer.from(' 10\r\n')]),
      ]) {
        const r = await c.cmd(cmd);
        expect([r.result.kind, r.result.code]).toEqual(['NO', null]);
        expect(r.result.message).toContain('249 bytes');
      }
    }
    const longest = 'x'.repeat(249);
    expect((await c.cmd(`PUTSCRIPT "${longest}" "keep;"\r\n`)).result.kind).toBe('OK');
    expect((await fx.store.get('alice', longest))?.toString()).toBe('keep;');
    c.close();
  });

  it('logs a client reset as a disconnect, without an error or a stack', async () => {
    const logger = recordingLogger();
    fx = await startFixture({ server: { logger } });
    for (let i = 0; i < 5; i++) {
      const c = await RawClient.connect(fx.port);
      await c.readReply();
      await c.cmd(plain('alice', 'secret'));
      c.send('PUTSCRIPT "half" {100+}\r\nkeep;');
      await sleep(20);
      c.socket.resetAndDestroy();
    }
    await waitFor(() => fx.server.connections === 0);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(logger.lines.filter((l) => /\n\s+at /.test(l.text))).toEqual([]);
    expect(logger.lines.some((l) => l.level === 'info' && l.text.includes('ECONNRESET'))).toBe(true);
  });

  it('answers NONEXISTENT when two servers on one folder delete or rename the same script', async () => {
    const logger = recordingLogger();
    fx = await startFixture({ server: { logger } });
    const other = createManageSieveServer({
      directory: slowDirectory(),
      store: new (fx.store.constructor as typeof import('../../../src/scripts/index.js').FileScriptStore)({
        root: fx.homes,
      }),
      insecureAuth: true,
      logger,
    });
    const { port } = await other.listen(0, '127.0.0.1');
    try {
      const [a, b] = await Promise.all([fx.port, port].map((p) => RawClient.connect(p)));
      for (const c of [a!, b!]) {
        await c.readReply();
        expect((await c.cmd(plain('alice', 'secret'))).result.kind).toBe('OK');
      }
      for (let i = 0; i < 40; i++) {
        await fx.store.put('alice', 's', Buffer.from('keep;'));
        const cmds =
          i % 3 === 0
            ? ['DELETESCRIPT "s"\r\n', 'DELETESCRIPT "s"\r\n']
            : i % 3 === 1
              ? [`RENAMESCRIPT "s" "a${i}"\r\n`, `RENAMESCRIPT "s" "b${i}"\r\n`]
              : [`RENAMESCRIPT "s" "a${i}"\r\n`, 'DELETESCRIPT "s"\r\n'];
        const replies = await Promise.all([a!.cmd(cmds[0]!), b!.cmd(cmds[1]!)]);
        const kinds = replies.map((r) => `${r.result.kind}${r.result.code ? ` ${r.result.code}` : ''}`);
        // Exactly one of the two wins; the other finds the script gone.
        expect([...kinds].sort()).toEqual(['NO NONEXISTENT', 'OK']);
        const names = (await fx.store.list('alice')).map((s) => s.name);
        expect(names.filter((n) => n === 's' || n.endsWith(String(i)))).toHaveLength(
          i % 3 === 1 || (i % 3 === 2 && replies[0]!.result.kind === 'OK') ? 1 : 0,
        );
        for (const n of names) await fx.store.delete('alice', n);
      }
      expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
      a!.close();
      b!.close();
    } finally {
      await other.close();
    }
  }, 30_000);
});
