import type { Command } from 'commander';
import { exitCodeFor } from './test.js';

/**
 * Stops a long-running command cleanly on Ctrl-C or SIGTERM: `close` lets the work in flight finish,
 * then the process exits 0. A second signal while it waits exits at once (130), for an operator who
 * will not wait; whatever was not acknowledged yet the peers send again.
 */
export function stopOnSignals(close: () => Promise<void>, announce?: () => void): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    announce?.();
    void close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Ends `tamis NAME` with the error's message and its exit code (64 for a configuration error). */
export function failCommand(cmd: Command, name: string, err: unknown): never {
  return cmd.error(`tamis ${name}: ${(err as Error).message}`, {
    exitCode: exitCodeFor(err),
    code: `tamis.${name}`,
  });
}
