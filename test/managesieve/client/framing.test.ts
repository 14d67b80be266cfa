import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeCommand,
  encodeString,
  LineReader,
  ManageSieveClient,
  ManageSieveError,
  ManageSieveProtocolError,
  parseLine,
  type Token,
} from '../../../src/managesieve/client/index.js';
import {
  serverMechanisms,
  type SaslServerExchange,
  type UserDirectory,
} from '../../../src/managesieve/sasl/index.js';
import { scramSha256Credentials } from '../../../src/accounts/index.js';

const GREETING =
  '"IMPLEMENTATION" "Fake"\r\n"SASL" "PLAIN SCRAM-SHA-256 OAUTHBEARER"\r\n"SIEVE" "fileinto"\r\n"VERSION" "1.0"\r\nOK "hi"\r\n';

type Handler = (line: Token[], raw: Buffer, sock: net.Socket) => void | Promise<void>;

/** A scripted fake server: parses client lines with the client's own line parser and hands them to `handler`. */
async function fakeServer(handler: Handler, greeting: string | Buffer = GREETING) {
  const received: Buffer[] = [];
  const server = net.createServer((sock) => {
    sock.write(greeting);
    let buf = Buffer.alloc(0);
    let busy = Promise.resolve();
    sock.on('data', (d: Buffer) => {
      received.push(d);
      buf = Buffer.concat([buf, d]);
      for (;;) {
        let r;
        try {
          r = parseLine(buf);
        } catch {
          sock.destroy();
          return;
        }
        if (!('tokens' in r)) break;
        const raw = buf.subarray(0, r.consumed);
        buf = buf.subarray(r.consumed);
        const tokens = r.tokens;
        busy = busy.then(() => handler(tokens, raw, sock));
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => Buffer.concat(received),
  };
}

const servers: net.Server[] = [];
const clients: ManageSieveClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) s.close();
});
const connect = async (port: number, opts = {}) => {
  const c = await ManageSieveClient.connect('127.0.0.1', port, { refreshCapabilities: false, ...opts });
  clients.push(c);
  return c;
};
const word = (t: Token | undefined) =>
  t?.kind === 'atom' ? t.value.toUpperCase() : t?.kind === 'string' ? t.value.toString() : '';

/** Writes `data` one byte at a time, to exercise reassembly. */
async function trickle(sock: net.Socket, data: string | Buffer) {
  for (const byte of Buffer.from(data)) {
    sock.write(Buffer.from([byte]));
    await new Promise((r) => setImmediate(r));
  }
}

describe('parseLine', () => {
  const tokens = (s: string | Buffer) => {
    const r = parseLine(Buffer.from(s));
    if (!('tokens' in r)) throw new Error('incomplete');
    return r.tokens;
  };
  it('parses atoms, quoted strings with escapes, literals and lists', () => {
    expect(tokens('OK (TAG "a\\"b\\\\c") "done"\r\n')).toEqual([
      { kind: 'atom', value: 'OK' },
      {
        kind: 'list',
        items: [
          { kind: 'atom', value: 'TAG' },
          { kind: 'string', value: Buffer.from('a"b\\c'), literal: false },
        ],
      },
      { kind: 'string', value: Buffer.from('done'), literal: false },
    ]);
    expect(tokens('NO {5}\r\na\r\nbc\r\n')).toEqual([
      { kind: 'atom', value: 'NO' },
      { kind: 'string', value: Buffer.from('a\r\nbc'), literal: true },
    ]);
    expect(tokens('{3+}\r\nabc ACTIVE\r\n')[1]).toEqual({ kind: 'atom', value: 'ACTIVE' });
    expect(tokens('OK\n')).toEqual([{ kind: 'atom', value: 'OK' }]);
    expect(tokens('"Ünï"\r\n')[0]).toMatchObject({ value: Buffer.from('Ünï') });
  });
  it('asks for more data when a line is incomplete, with the literal size as a hint', () => {
    for (const s of ['OK "abc', 'OK', 'OK "a\\', 'NO {10}\r\nabc', 'NO {10', 'OK\r', '(']) {
      expect(parseLine(Buffer.from(s)), s).toHaveProperty('need');
    }
    expect(parseLine(Buffer.from('NO {10}\r\nabc'))).toEqual({ need: 20 });
  });
  it('rejects hostile input', () => {
    for (const s of [
      'OK "a\rb"\r\n',
      'OK "a\nb"\r\n',
      'OK "a\0b"\r\n',
      'OK {x}\r\n',
      'OK {-1}\r\n',
      'OK {3}abc\r\n',
      'OK {99999999999}\r\n',
      'OK (a\r\n',
      'OK )\r\n',
      'OK \x01\r\n',
      'OK\rX',
      'OK {123456789012345678901234567890',
    ]) {
      expect(() => parseLine(Buffer.from(s)), JSON.stringify(s)).toThrow(ManageSieveProtocolError);
    }
    expect(() =>
      parseLine(Buffer.from('NO {2000}\r\n'), { maxLineLength: 100, maxLiteralSize: 1000 }),
    ).toThrow(/too large/);
    expect(() =>
      parseLine(Buffer.from('"' + 'a'.repeat(200)), { maxLineLength: 100, maxLiteralSize: 1000 }),
    ).toThrow(/too long/);
  });
  it('LineReader reassembles split input and reports closure', async () => {
    const r = new LineReader();
    const p = r.readLine();
    for (const ch of 'NO {4}\r\nab\r\n "x"\r\n') r.push(Buffer.from(ch));
    expect((await p).length).toBe(3);
    r.close(new Error('gone'));
    await expect(r.readLine()).rejects.toThrow('gone');
  });
});

describe('encodeString / encodeCommand', () => {
  it('quotes safe strings and uses literals otherwise', () => {
    expect(encodeString('main').toString()).toBe('"main"');
    expect(encodeString('a"b\\c').toString()).toBe('"a\\"b\\\\c"');
    expect(encodeString('Ünï').toString()).toBe('"Ünï"');
    expect(encodeString('a\r\nb').toString()).toBe('{4+}\r\na\r\nb');
    expect(encodeString('a\nb', false).toString()).toBe('{3}\r\na\nb');
    expect(encodeString('x'.repeat(1025)).subarray(0, 8).toString()).toBe('{1025+}\r');
    expect(encodeString(Buffer.from([0xff, 0x41])).toString('latin1')).toBe('{2+}\r\n\xffA');
    expect(encodeString('a\0b').toString()).toBe('{3+}\r\na\0b');
    expect(encodeCommand('HAVESPACE', ['x', 12]).toString()).toBe('HAVESPACE "x" 12\r\n');
    expect(() => encodeCommand('HAVESPACE', ['x', -1])).toThrow(RangeError);
    expect(() => encodeCommand('HAVESPACE', ['x', 2 ** 32])).toThrow(RangeError);
  });
});

describe('ManageSieveClient framing', () => {
  it('parses literals split byte by byte, literal names and response-code arguments', async () => {
    const script = 'require "x";\r\n{5}\r\n"odd"\r\n';
    const srv = await fakeServer(async (line, _raw, sock) => {
      const cmd = word(line[0]);
      if (cmd === 'GETSCRIPT')
        await trickle(sock, `{${Buffer.byteLength(script)}}\r\n${script}\r\nok "done"\r\n`);
      else if (cmd === 'LISTSCRIPTS')
        await trickle(sock, '{6}\r\na\r\nb c ACTIVE\r\n"plain"\r\n"Ün\\"ï"\r\nOK\r\n');
      else if (cmd === 'PUTSCRIPT') sock.write('NO (QUOTA/MAXSIZE "extra" {3}\r\nx y) {7}\r\nline1\r\n\r\n');
      else if (cmd === 'CHECKSCRIPT') sock.write('OK (WARNINGS) {8}\r\nwarn\r\nme\r\n');
      else if (cmd === 'NOOP') sock.write(`OK (TAG {3}\r\na"b) "Done"\r\n`);
      else sock.write('NO "unknown"\r\n');
    });
    const c = await connect(srv.port);
    expect(await c.getScript('s')).toBe(script);
    expect(await c.listScripts()).toEqual([
      { name: 'a\r\nb c', active: true },
      { name: 'plain', active: false },
      { name: 'Ün"ï', active: false },
    ]);
    const e = (await c.putScript('x', 'keep;').catch((x: unknown) => x)) as ManageSieveError;
    expect(e).toBeInstanceOf(ManageSieveError);
    expect(e).toMatchObject({
      response: 'NO',
      code: 'QUOTA/MAXSIZE',
      codeArgs: ['extra', 'x y'],
      message: 'line1\r\n',
    });
    expect(e.hasCode('quota')).toBe(true);
    expect(e.hasCode('QUOTA/MAXSCRIPTS')).toBe(false);
    expect(await c.checkScript('keep;')).toEqual({ warnings: 'warn\r\nme' });
    expect(await c.noop('t')).toEqual({ tag: 'a"b' });
  });

  it('sends arguments as quoted strings or literals, byte exact', async () => {
    const srv = await fakeServer((_line, _raw, sock) => void sock.write('OK\r\n'));
    const c = await connect(srv.port);
    await c.putScript('na"me', 'keep;\r\n');
    await c.renameScript('a\\b', 'Ünï');
    await c.haveSpace('x', 42);
    await c.setActive('');
    await c.putScript('bin', Buffer.from([0x66, 0xff, 0x0a]));
    await c.noop();
    const sent = srv.received().toString('latin1');
    expect(sent).toBe(
      'PUTSCRIPT "na\\"me" {7+}\r\nkeep;\r\n\r\n' +
        `RENAMESCRIPT "a\\\\b" "${Buffer.from('Ünï').toString('latin1')}"\r\n` +
        'HAVESPACE "x" 42\r\n' +
        'SETACTIVE ""\r\n' +
        'PUTSCRIPT "bin" {3+}\r\nf\xff\n\r\n' +
        'NOOP\r\n',
    );
  });

  it('turns BYE into an error and refuses further commands', async () => {
    const srv = await fakeServer((_line, _raw, sock) => {
      sock.end('BYE (TRYLATER) "going away"\r\n');
    });
    const c = await connect(srv.port);
    const e = (await c.listScripts().catch((x: unknown) => x)) as ManageSieveError;
    expect(e).toMatchObject({ response: 'BYE', code: 'TRYLATER', message: 'going away' });
    expect(c.connected).toBe(false);
    await expect(c.noop()).rejects.toThrow(ManageSieveProtocolError);
    await c.logout(); // no-op once closed
  });

  it('reports a BYE greeting with its referral', async () => {
    const srv = await fakeServer(() => undefined, 'BYE (REFERRAL "sieve://other.example") "try there"\r\n');
    const e = (await connect(srv.port).catch((x: unknown) => x)) as ManageSieveError;
    expect(e).toMatchObject({ response: 'BYE', code: 'REFERRAL', codeArgs: ['sieve://other.example'] });
  });

  it('fails cleanly on garbage, on a closed connection and on oversized literals', async () => {
    const garbage = await fakeServer((_l, _r, sock) => void sock.write('HELLO there\r\n'));
    const c1 = await connect(garbage.port);
    await expect(c1.noop()).rejects.toThrow(ManageSieveProtocolError);

    const closing = await fakeServer((_l, _r, sock) => void sock.end('{100}\r\nshort'));
    const c2 = await connect(closing.port);
    await expect(c2.getScript('x')).rejects.toThrow(/closed/);

    const huge = await fakeServer((_l, _r, sock) => void sock.write('{5000}\r\n'));
    const c3 = await connect(huge.port, { maxLiteralSize: 1000 });
    await expect(c3.getScript('x')).rejects.toThrow(/too large/);

    const noGreeting = await fakeServer(() => undefined, '"IMPLEMENTATION" "x"\r\n');
    const c4 = new ManageSieveClient();
    clients.push(c4);
    const p = c4.connect('127.0.0.1', noGreeting.port, { connectTimeoutMs: 300 });
    await expect(p).rejects.toThrow(ManageSieveProtocolError);
  });

  it('refuses tls "starttls" when the server does not offer it', async () => {
    const srv = await fakeServer(() => undefined);
    await expect(ManageSieveClient.connect('127.0.0.1', srv.port, { tls: 'starttls' })).rejects.toThrow(
      /does not offer STARTTLS/,
    );
  });

  it('refuses STARTTLS when the server pipelines data after its OK', async () => {
    const srv = await fakeServer((_l, _r, sock) => void sock.write('OK "go"\r\n"IMPLEMENTATION" "x"\r\n'));
    const c = await connect(srv.port);
    await expect(c.startTls()).rejects.toThrow(/before the TLS handshake/);
  });
});

describe('ManageSieveClient AUTHENTICATE against the tamis SASL mechanisms', () => {
  const scram = scramSha256Credentials('pencil', Buffer.from('0123456789abcdef'), 4096);
  const dir: UserDirectory = {
    verifyPassword: async (u, p) => u === 'alice' && p === 'pencil',
    scramSha256: async (u) => (u === 'alice' ? scram : null),
    exists: async (u) => u === 'alice',
  };
  const b64 = (t: Token | undefined) =>
    t?.kind === 'string' ? Buffer.from(t.value.toString(), 'base64') : null;

  /** A minimal AUTHENTICATE loop in the RFC 5804 style: challenges as quoted base64, final data in OK (SASL). */
  async function authServer(opts: { tamperFinal?: boolean } = {}) {
    const mechs = serverMechanisms(dir, {
      oauth: async (token) => (token === 'tok-123' ? 'alice' : null),
    });
    let ex: SaslServerExchange | null = null;
    return fakeServer(async (line, _raw, sock) => {
      let response: Buffer | null;
      if (!ex) {
        if (word(line[0]) !== 'AUTHENTICATE') return void sock.write('OK "fine"\r\n');
        const m = mechs.find((x) => x.name === word(line[1]).toUpperCase());
        if (!m) return void sock.write('NO "no such mechanism"\r\n');
        ex = m.start({ secure: false, remoteAddress: '127.0.0.1' });
        response = line[2] ? b64(line[2]) : null;
      } else {
        if (word(line[0]) === '*') {
          ex = null;
          return void sock.write('NO "Authentication aborted by client."\r\n');
        }
        response = b64(line[0]);
      }
      const step = await ex.step(response);
      if (step.type === 'challenge') return void sock.write(`"${step.data.toString('base64')}"\r\n`);
      ex = null;
      if (step.type === 'failure') return void sock.write(`NO "${step.message}"\r\n`);
      let data = step.data;
      if (data && opts.tamperFinal) data = Buffer.from('v=' + Buffer.alloc(32).toString('base64'));
      sock.write(data ? `OK (SASL "${data.toString('base64')}") "Logged in."\r\n` : 'OK "Logged in."\r\n');
    });
  }

  it('SCRAM-SHA-256 with the server signature in OK (SASL ...)', async () => {
    const srv = await authServer();
    const c = await connect(srv.port);
    await c.authenticate('SCRAM-SHA-256', 'alice', 'pencil');
    expect(c.authenticatedAs).toBe('alice');
    const d = await connect(srv.port);
    await expect(d.authenticate('SCRAM-SHA-256', 'alice', 'wrong')).rejects.toThrow(ManageSieveError);
  });

  it('SCRAM-SHA-256 refuses a server that cannot prove the password', async () => {
    const srv = await authServer({ tamperFinal: true });
    const c = await connect(srv.port);
    await expect(c.authenticate('SCRAM-SHA-256', 'alice', 'pencil')).rejects.toThrow(/server signature/);
    expect(c.connected).toBe(false);
  });

  it('PLAIN, and OAUTHBEARER success and JSON-error failure', async () => {
    const srv = await authServer();
    const c = await connect(srv.port);
    await c.authenticate('PLAIN', 'alice', 'pencil');
    const o = await connect(srv.port);
    await o.authenticate('OAUTHBEARER', 'alice', 'tok-123');
    const bad = await connect(srv.port);
    const e = (await bad
      .authenticate('OAUTHBEARER', 'alice', 'nope')
      .catch((x: unknown) => x)) as ManageSieveError;
    expect(e).toBeInstanceOf(ManageSieveError);
    expect(e.response).toBe('NO');
    // The exchange ended with the lone ^A reply, and the session is still usable.
    expect(srv.received().toString()).toContain(`"${Buffer.from('\x01').toString('base64')}"\r\n`);
    await bad.authenticate('PLAIN', 'alice', 'pencil');
  });

  it('cancels with "*" when the server sends a nonsensical challenge', async () => {
    const srv = await fakeServer((line, _raw, sock) => {
      if (word(line[0]) === 'AUTHENTICATE')
        sock.write(`"${Buffer.from('r=not-our-nonce,s=AAAA,i=4096').toString('base64')}"\r\n`);
      else if (word(line[0]) === '*') sock.write('NO "aborted"\r\n');
    });
    const c = await connect(srv.port);
    await expect(c.authenticate('SCRAM-SHA-256', 'alice', 'pencil')).rejects.toThrow(/nonce/);
    expect(srv.received().toString()).toMatch(/\r\n"\*"\r\n$/);
  });
});
