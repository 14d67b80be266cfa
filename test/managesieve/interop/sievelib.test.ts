import { spawnSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../server/fixture.js';

const PY = '/usr/bin/python3';
const available = spawnSync(PY, ['-c', 'import sievelib.managesieve'], { stdio: 'ignore' }).status === 0;
if (!available)
  console.warn('skipping python3-sievelib interop: not installed (apt-get install python3-sievelib)');

// Runs sievelib and prints one JSON object per step; bytes are compared in Python (byte-identical download).
const PROGRAM = String.raw`
import json, sys
from sievelib.managesieve import Client
port, mech, starttls = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "starttls"
# sievelib's getscript() rejoins lines with LF and drops the final line break, so compare such a script
script = 'require ["fileinto"];\nif header :contains "subject" "[list]" {\n  fileinto "Lists";\n}'
out = {}
c = Client("127.0.0.1", port)
out["connect"] = bool(c.connect("alice", "secret", starttls=starttls, authmech=mech))
out["tls"] = type(c.sock).__name__
out["sasl"] = c.get_sasl_mechanisms()
out["havespace"] = c.havespace("sl-test", len(script.encode()))
out["put"] = c.putscript("sl-test", script)
out["put_utf8"] = c.putscript("Ünïcødé name", "keep;")
out["list1"] = c.listscripts()
out["setactive"] = c.setactive("sl-test")
out["list2"] = c.listscripts()
out["get_equal"] = c.getscript("sl-test") == script
out["rename"] = c.renamescript("sl-test", "sl-renamed")
out["list3"] = c.listscripts()
out["delete_active"] = c.deletescript("sl-renamed")
out["check_bad"] = c.checkscript("if foo {\r\n")
out["check_bad_msg"] = (c.errmsg or b"").decode("utf-8", "replace")
out["put_bad"] = c.putscript("bad", "if foo {\r\n")
out["put_bad_msg"] = (c.errmsg or b"").decode("utf-8", "replace")
out["put_big"] = c.putscript("big", "#" * 5000 + "\r\nkeep;\r\n")
out["put_big_msg"] = (c.errmsg or b"").decode("utf-8", "replace")
out["havespace_big"] = c.havespace("big", 5000)
out["deactivate"] = c.setactive("")
out["delete"] = c.deletescript("sl-renamed")
out["list4"] = c.listscripts()
c.logout()
print(json.dumps(out))
`;

function runPython(port: number, mech: string, starttls = false): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const args = ['-c', PROGRAM, String(port), mech, starttls ? 'starttls' : 'plain'];
    const child = spawn(PY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`python exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

function checkWholeApi(out: Record<string, unknown>): void {
  expect(out.connect).toBe(true);
  expect(out.havespace).toBe(true);
  expect(out.put).toBe(true);
  expect(out.put_utf8).toBe(true);
  expect(out.list1).toEqual([null, expect.arrayContaining(['sl-test', 'Ünïcødé name'])]);
  expect(out.setactive).toBe(true);
  expect((out.list2 as unknown[])[0]).toBe('sl-test');
  expect(out.get_equal).toBe(true);
  expect(out.rename).toBe(true);
  expect((out.list3 as unknown[])[0]).toBe('sl-renamed');
  expect(out.delete_active).toBe(false);
  expect(out.check_bad).toBe(false);
  expect(out.check_bad_msg).toMatch(/line \d+: error/);
  expect(out.put_bad).toBe(false);
  expect(out.put_bad_msg).toMatch(/^bad: line \d+: error/);
  expect(out.put_big).toBe(false);
  expect(out.put_big_msg).toMatch(/too large/i);
  expect(out.havespace_big).toBe(false);
  expect(out.deactivate).toBe(true);
  expect(out.delete).toBe(true);
  expect(out.list4).toEqual([null, ['Ünïcødé name']]);
}

describe.skipIf(!available)('interop: python3-sievelib against tamis', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await startFixture({ quota: { maxScriptSize: 4096 } });
  });
  afterAll(async () => {
    await fx.stop();
  });

  for (const mech of ['PLAIN', 'LOGIN']) {
    it(`runs the whole client API with ${mech}`, async () => {
      const out = await runPython(fx.port, mech);
      expect(out.sasl).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN']));
      expect(out.tls).toBe('socket');
      checkWholeApi(out);
      await fx.store.delete('alice', 'Ünïcødé name');
    }, 60_000);
  }
});

describe.skipIf(!available)('interop: python3-sievelib against tamis over STARTTLS', () => {
  let fx: Fixture;
  beforeAll(async () => {
    // Plaintext mechanisms only after TLS, as in production.
    fx = await startFixture({ tls: true, quota: { maxScriptSize: 4096 }, server: { insecureAuth: false } });
  });
  afterAll(async () => {
    await fx.stop();
  });

  it('negotiates TLS, then logs in with PLAIN and runs the whole client API', async () => {
    const out = await runPython(fx.port, 'PLAIN', true);
    expect(out.tls).toBe('SSLSocket');
    expect(out.sasl).toEqual(expect.arrayContaining(['PLAIN']));
    checkWholeApi(out);
  }, 60_000);
});
