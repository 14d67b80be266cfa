import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Flushes a directory, so a rename or unlink in it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `path` so that a crash leaves either the old file or the whole new one: into
 * `tmpDir` first, flushed, then renamed over `path`, and the directory flushed.
 */
export async function writeDurably(tmpDir: string, path: string, data: Buffer | Buffer[]): Promise<void> {
  const tmp = join(tmpDir, `${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    for (const chunk of Array.isArray(data) ? data : [data]) await handle.write(chunk);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  } finally {
    await handle.close().catch(() => {});
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncDir(dirname(path));
}
