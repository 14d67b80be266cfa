import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { cliCommand } from '../../cli/run-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Starts `tamis managesieve ARGS` and waits for its "listening on" line. */
export function startCli(args: string[]): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const child = spawn(process.execPath, [...cliCommand(), 'managesieve', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${log}`)), 30_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      const m = /listening on [^\s]+:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), log: () => log });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${log}`)));
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}
