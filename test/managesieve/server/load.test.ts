import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runManageSieveLoad } from '../../bench/managesieve-load.js';
import { startFixture, type Fixture } from './fixture.js';

describe('ManageSieve server: load', () => {
  let fx: Fixture;
  beforeAll(async () => {
    // Every session comes from 127.0.0.1, so the per-address cap is raised for this test.
    fx = await startFixture({ server: { limits: { maxConnectionsPerAddress: 5000 } } });
  });
  afterAll(async () => {
    await fx.stop();
  });

  it('serves 1,000 concurrent sessions on loopback', async () => {
    const result = await runManageSieveLoad({
      port: fx.port,
      sessions: 1000,
      user: 'alice',
      password: 'secret',
    });
    expect(result.sessions).toBe(1000);
    expect((await fx.store.list('alice')).length).toBe(1000);
    expect(fx.server.connections).toBe(0);
  }, 120_000);

  it('keeps 1,000 idle sessions open at once', async () => {
    const { RawClient } = await import('./raw-client.js');
    const clients = await Promise.all(Array.from({ length: 1000 }, () => RawClient.connect(fx.port)));
    await Promise.all(clients.map((c) => c.readReply()));
    expect(fx.server.connections).toBe(1000);
    const replies = await Promise.all(clients.map((c, i) => c.cmd(`NOOP "${i}"\r\n`)));
    expect(replies.map((r) => r.result.codeArg)).toEqual(clients.map((_, i) => String(i)));
    for (const c of clients) c.close();
  }, 120_000);
});
