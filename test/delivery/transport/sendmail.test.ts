import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sendmailTransport } from '../../../src/delivery/transport/sendmail.js';
import { createOutbox } from '../../../src/delivery/transport/index.js';

const root = mkdtempSync(join(tmpdir(), 'tamis-sendmail-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A sendmail-compatible program: records its arguments and input, exits with the status in a file. */
function program(
  name: string,
  status: number,
): { path: string; calls: () => { args: string[]; input: string }[] } {
  const dir = join(root, name);
  const path = join(root, `${name}.sh`);
  writeFileSync(
    path,
    `#!/bin/sh\nmkdir -p '${dir}'\nf='${dir}'/$$\nprintf '%s\\n' "$@" > "$f.args"\ncat > "$f.in"\necho "status ${status}" >&2\nexit ${status}\n`,
  );
  chmodSync(path, 0o755);
  return {
    path,
    calls: () => {
      let names: string[] = [];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.args'));
      } catch {
        return [];
      }
      return names.map((n) => ({
        args: readFileSync(join(dir, n), 'utf8').trimEnd().split('\n'),
        input: readFileSync(join(dir, n.replace('.args', '.in')), 'utf8'),
      }));
    },
  };
}

const message = Buffer.from('Subject: s\r\n\r\n.\r\nbody\r\n');

describe('sendmail transport', () => {
  it('passes the envelope as arguments and the message unchanged on input', async () => {
    const p = program('ok', 0);
    const t = sendmailTransport({ path: p.path });
    const r = await t.send('id', 'alice@example.com', ['b@x.example', 'c@x.example'], message);
    expect(r).toEqual({ accepted: ['b@x.example', 'c@x.example'], deferred: [], failed: [] });
    expect(p.calls()).toEqual([
      {
        args: ['-i', '-f', 'alice@example.com', '--', 'b@x.example', 'c@x.example'],
        input: message.toString(),
      },
    ]);
    await t.send('id', '', ['b@x.example'], message);
    expect(p.calls().map((c) => c.args[2])).toContain('<>');
  });

  it('EX_TEMPFAIL defers, EX_NOUSER fails, a missing program defers', async () => {
    const temp = await sendmailTransport({ path: program('temp', 75).path }).send(
      'i',
      '',
      ['b@x.example'],
      message,
    );
    expect(temp.deferred[0]!.reason).toMatch(/exited 75: status 75/);
    const perm = await sendmailTransport({ path: program('perm', 67).path }).send(
      'i',
      '',
      ['b@x.example'],
      message,
    );
    expect(perm.failed[0]!.reason).toMatch(/addressee unknown/);
    const none = await sendmailTransport({ path: join(root, 'missing') }).send(
      'i',
      '',
      ['b@x.example'],
      message,
    );
    expect(none.deferred).toHaveLength(1);
    expect(none.unreachable).toBe(true);
  });

  it('the outbox uses it when configured, and the message leaves the queue', async () => {
    const p = program('outbox', 0);
    const dir = join(root, 'queue');
    const o = createOutbox({ dir, sendmail: p.path });
    await o.enqueue('bob', { kind: 'redirect', from: 'alice@example.com', to: ['r@x.example'], message });
    await o.flush();
    await o.close();
    expect(p.calls().map((c) => c.args.at(-1))).toEqual(['r@x.example']);
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);
  });
});
