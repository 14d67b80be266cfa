import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cliCommand } from '../cli/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');

export interface DeliverResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs `tamis deliver ARGS` with `input` on stdin; `killAfter` ms sends SIGKILL (crash tests). */
export function runDeliver(args: string[], input: Buffer, killAfter?: number): Promise<DeliverResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cliCommand(), 'deliver', ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    const timer = killAfter === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfter);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}
