import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseScramSha256, scramSha256Credentials } from '../../../src/accounts/index.js';
import {
  oauthBearerClient,
  scramSha256Client,
  type SaslClientExchange,
} from '../../../src/managesieve/client/sasl.js';
import {
  parseOAuthBearer,
  serverMechanisms,
  type SaslServerMechanism,
  type SaslStep,
  type ScramCredentials,
  type UserDirectory,
} from '../../../src/managesieve/sasl/index.js';

const scram = scramSha256Credentials('pencil', Buffer.from('salty-salt-1234'), 4096);

/** In-memory directory: alice has a SCRAM hash, bob only a password not usable for SCRAM. */
const dir: UserDirectory = {
  async verifyPassword(user, password) {
    return (user === 'alice' && password === 'pencil') || (user === 'bob' && password === 'bobpw');
  },
  async scramSha256(user): Promise<ScramCredentials | null> {
    return user === 'alice' ? scram : null;
  },
  async exists(user) {
    return user === 'alice' || user === 'bob';
  },
};

const ctx = { secure: true, remoteAddress: '127.0.0.1' };
const mech = (name: string, mechs = serverMechanisms(dir)): SaslServerMechanism => {
  const m = mechs.find((x) => x.name === name);
  if (!m) throw new Error(`no ${name}`);
  return m;
};
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Runs a client exchange against a server exchange to the end. */
async function run(
  m: SaslServerMechanism,
  client: SaslClientExchange,
  useInitial = true,
): Promise<SaslStep[]> {
  const ex = m.start(ctx);
  const steps: SaslStep[] = [];
  let step = await ex.step(useInitial ? client.initial() : null);
  steps.push(step);
  for (let i = 0; step.type === 'challenge' && i < 5; i++) {
    step = await ex.step(client.respond(step.data));
    steps.push(step);
  }
  return steps;
}

describe('serverMechanisms', () => {
  it('lists mechanisms in order, OAUTHBEARER only with a verifier', () => {
    expect(serverMechanisms(dir).map((m) => m.name)).toEqual(['PLAIN', 'LOGIN', 'SCRAM-SHA-256']);
    expect(serverMechanisms(dir, { oauth: async () => null }).map((m) => m.name)).toEqual([
      'PLAIN',
      'LOGIN',
      'SCRAM-SHA-256',
      'OAUTHBEARER',
    ]);
    expect(serverMechanisms({ ...dir, supportsScram: false }).map((m) => m.name)).toEqual(['PLAIN', 'LOGIN']);
    expect(serverMechanisms(dir, { scram: false }).map((m) => m.name)).toEqual(['PLAIN', 'LOGIN']);
    expect(serverMechanisms(dir).map((m) => [m.name, m.plaintext])).toEqual([
      ['PLAIN', true],
      ['LOGIN', true],
      ['SCRAM-SHA-256', false],
    ]);
  });
});

describe('PLAIN', () => {
  const plain = mech('PLAIN');
  it('accepts a good initial response', async () => {
    expect(await plain.start(ctx).step(b('\0alice\0pencil'))).toEqual({ type: 'success', user: 'alice' });
    expect(await plain.start(ctx).step(b('alice\0alice\0pencil'))).toEqual({
      type: 'success',
      user: 'alice',
    });
  });
  it('sends an empty challenge without an initial response', async () => {
    const ex = plain.start(ctx);
    expect(await ex.step(null)).toEqual({ type: 'challenge', data: Buffer.alloc(0) });
    expect((await ex.step(b('\0bob\0bobpw'))).type).toBe('success');
  });
  it('refuses another authzid, bad passwords and malformed messages', async () => {
    expect(await plain.start(ctx).step(b('bob\0alice\0pencil'))).toMatchObject({
      type: 'failure',
      reason: 'credentials',
    });
    expect(await plain.start(ctx).step(b('\0alice\0wrong'))).toMatchObject({
      type: 'failure',
      reason: 'credentials',
    });
    for (const bad of [
      '',
      'alice',
      '\0alice',
      '\0alice\0',
      '\0\0pencil',
      '\0a\0b\0c',
      'x\0alice\0pencil\0',
    ]) {
      expect(await plain.start(ctx).step(b(bad)), JSON.stringify(bad)).toMatchObject({
        type: 'failure',
        reason: 'malformed',
      });
    }
    expect(await plain.start(ctx).step(Buffer.from([0, 0xff, 0xfe, 0, 0x41]))).toMatchObject({
      reason: 'malformed',
    });
  });
});

describe('LOGIN', () => {
  const login = mech('LOGIN');
  it('asks Username: then Password:', async () => {
    const ex = login.start(ctx);
    expect(await ex.step(null)).toEqual({ type: 'challenge', data: b('Username:') });
    expect(await ex.step(b('alice'))).toEqual({ type: 'challenge', data: b('Password:') });
    expect(await ex.step(b('pencil'))).toEqual({ type: 'success', user: 'alice' });
  });
  it('takes the user name as an initial response', async () => {
    const ex = login.start(ctx);
    expect(await ex.step(b('bob'))).toEqual({ type: 'challenge', data: b('Password:') });
    expect(await ex.step(b('bobpw'))).toEqual({ type: 'success', user: 'bob' });
  });
  it('fails on a wrong password and on garbage', async () => {
    const ex = login.start(ctx);
    await ex.step(b('alice'));
    expect(await ex.step(b('nope'))).toMatchObject({ type: 'failure', reason: 'credentials' });
    const ex2 = login.start(ctx);
    await ex2.step(null);
    expect(await ex2.step(Buffer.from([0xc3]))).toMatchObject({ type: 'failure', reason: 'malformed' });
  });
});

describe('SCRAM-SHA-256', () => {
  const m = mech('SCRAM-SHA-256');

  it('authenticates with a correct password and proves the server', async () => {
    for (const useInitial of [true, false]) {
      const client = scramSha256Client({ user: 'alice', secret: 'pencil' });
      const steps = await run(m, client, useInitial);
      const last = steps.at(-1)!;
      expect(last).toMatchObject({ type: 'success', user: 'alice' });
      expect(() => client.verifyFinal(last.type === 'success' ? last.data! : null)).not.toThrow();
    }
  });

  it('works with the RFC 7677 example exchange shape and Dovecot-format credentials', async () => {
    // Password "pencil", credentials in the Dovecot passwd-file format.
    const dovecot = parseScramSha256(
      [
        4096,
        scram.salt.toString('base64'),
        scram.storedKey.toString('base64'),
        scram.serverKey.toString('base64'),
      ].join(','),
    )!;
    expect(dovecot.storedKey.equals(scram.storedKey)).toBe(true);
    // Manual client: checks the server nonce, salt and iteration count are those stored.
    const ex = m.start(ctx);
    const first = await ex.step(b('n,,n=alice,r=rOprNGfwEbeRWgbNEkqO'));
    expect(first.type).toBe('challenge');
    const sf = (first as { data: Buffer }).data.toString();
    expect(sf).toMatch(/^r=rOprNGfwEbeRWgbNEkqO[^,]+,s=c2FsdHktc2FsdC0xMjM0,i=4096$/);
  });

  it('fails with a wrong password, without revealing unknown users until the end', async () => {
    expect((await run(m, scramSha256Client({ user: 'alice', secret: 'wrong' }))).at(-1)).toMatchObject({
      type: 'failure',
      reason: 'credentials',
    });
    const unknown = await run(m, scramSha256Client({ user: 'mallory', secret: 'x' }));
    expect(unknown[0]!.type).toBe('challenge');
    expect(unknown.at(-1)).toMatchObject({ type: 'failure', reason: 'credentials' });
    // Same salt on a second try: the fake salt is stable per user.
    const again = await run(m, scramSha256Client({ user: 'mallory', secret: 'x' }));
    const salt = (s: SaslStep) => /s=([^,]+)/.exec((s as { data: Buffer }).data.toString())![1];
    expect(salt(again[0]!)).toBe(salt(unknown[0]!));
  });

  it('says clearly when the account has no SCRAM credentials', async () => {
    const last = (await run(m, scramSha256Client({ user: 'bob', secret: 'bobpw' }))).at(-1)!;
    expect(last).toMatchObject({ type: 'failure', reason: 'unavailable' });
    expect((last as { message: string }).message).toMatch(/SCRAM-SHA-256/);
  });

  it('handles authzid and escaped names', async () => {
    expect(
      (await run(m, scramSha256Client({ user: 'alice', secret: 'pencil', authzid: 'alice' }))).at(-1),
    ).toMatchObject({ type: 'success' });
    expect(
      (await run(m, scramSha256Client({ user: 'alice', secret: 'pencil', authzid: 'bob' }))).at(-1),
    ).toMatchObject({ type: 'failure', reason: 'credentials' });
  });

  it('rejects hostile and malformed messages', async () => {
    for (const bad of [
      'x,,n=alice,r=abc',
      'p=tls-unique,,n=alice,r=abc',
      'n,,m=ext,n=alice,r=abc',
      'n,,n=al=41ice,r=abc',
      'n,,n=,r=abc',
      'n,,r=abc,n=alice',
      'n,,n=alice',
      'n,a=,n=alice,r=abc',
      'n,,n=alice,r=a b',
      'garbage',
    ]) {
      expect(await m.start(ctx).step(b(bad)), bad).toMatchObject({ type: 'failure', reason: 'malformed' });
    }
    // Tampered final messages.
    const tamper = async (f: (final: string) => string) => {
      const client = scramSha256Client({ user: 'alice', secret: 'pencil' });
      const ex = m.start(ctx);
      const c1 = (await ex.step(client.initial())) as { data: Buffer };
      return ex.step(b(f(client.respond(c1.data).toString())));
    };
    expect(await tamper((s) => s.replace(/r=[^,]+/, 'r=other'))).toMatchObject({ type: 'failure' });
    expect(await tamper((s) => s.replace('c=biws', 'c=eSws'))).toMatchObject({ type: 'failure' });
    expect(await tamper((s) => s.replace(/p=.*/, 'p=AAAA'))).toMatchObject({
      type: 'failure',
      reason: 'credentials',
    });
    expect(await tamper((s) => s.replace(/,p=.*/, ''))).toMatchObject({
      type: 'failure',
      reason: 'malformed',
    });
    expect(await tamper(() => '')).toMatchObject({ type: 'failure' });
  });

  it('agrees with an independent computation of the RFC 5802 formulas', () => {
    const salted = pbkdf2Sync('pencil', scram.salt, 4096, 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    expect(createHash('sha256').update(clientKey).digest().equals(scram.storedKey)).toBe(true);
  });
});

describe('OAUTHBEARER', () => {
  const verifier = async (token: string, claimed: string | null) =>
    token === 'good-token' ? 'alice' : token === 'bob-token' && claimed === 'bob' ? 'bob' : null;
  const m = mech('OAUTHBEARER', serverMechanisms(dir, { oauth: verifier }));

  it('accepts a valid token with or without authzid', async () => {
    expect((await run(m, oauthBearerClient({ user: 'alice', secret: 'good-token' }))).at(-1)).toEqual({
      type: 'success',
      user: 'alice',
    });
    expect(await m.start(ctx).step(b('n,,\x01auth=Bearer good-token\x01\x01'))).toEqual({
      type: 'success',
      user: 'alice',
    });
    expect(
      await m.start(ctx).step(b('n,a=bob,\x01host=x\x01port=4190\x01auth=bearer bob-token\x01\x01')),
    ).toEqual({
      type: 'success',
      user: 'bob',
    });
  });

  it('answers a bad token with the JSON error, then fails after the ^A reply', async () => {
    const ex = m.start(ctx);
    const s1 = await ex.step(b('n,a=alice,\x01auth=Bearer bad\x01\x01'));
    expect(s1.type).toBe('challenge');
    expect(JSON.parse((s1 as { data: Buffer }).data.toString())).toEqual({ status: 'invalid_token' });
    expect(await ex.step(b('\x01'))).toMatchObject({ type: 'failure', reason: 'credentials' });
    // Token of alice claimed for bob.
    const s2 = await m.start(ctx).step(b('n,a=bob,\x01auth=Bearer good-token\x01\x01'));
    expect(s2.type).toBe('challenge');
  });

  it('includes configured error details and survives a throwing verifier', async () => {
    const m2 = mech(
      'OAUTHBEARER',
      serverMechanisms(dir, {
        oauth: async () => {
          throw new Error('down');
        },
        oauthOptions: { errorDetails: { scope: 'sieve' } },
      }),
    );
    const s = await m2.start(ctx).step(b('n,,\x01auth=Bearer t\x01\x01'));
    expect(JSON.parse((s as { data: Buffer }).data.toString())).toEqual({
      status: 'invalid_token',
      scope: 'sieve',
    });
  });

  it('rejects malformed messages', async () => {
    for (const bad of [
      'n,,auth=Bearer x\x01\x01',
      'n,,\x01auth=Bearer x\x01',
      'n,,\x01auth=Basic x\x01\x01',
      'n,,\x01\x01',
      'p=x,,\x01auth=Bearer x\x01\x01',
      'n,,\x01auth=Bearer x y\x01\x01',
      'n,,\x01=v\x01auth=Bearer x\x01\x01',
    ]) {
      expect(typeof parseOAuthBearer(bad), JSON.stringify(bad)).toBe('string');
      expect(await m.start(ctx).step(b(bad))).toMatchObject({ type: 'failure', reason: 'malformed' });
    }
  });
});
