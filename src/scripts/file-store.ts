import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { scriptNameProblem } from './names.js';
import { KeyedMutex } from './mutex.js';
import {
  checkQuota,
  DEFAULT_QUOTA,
  ScriptStoreError,
  type ActiveScript,
  type QuotaCheck,
  type QuotaLimits,
  type ScriptInfo,
  type ScriptStore,
  type SetActiveResult,
} from './types.js';

export interface FileScriptStoreOptions {
  /** Folder that holds one home folder per user (`<root>/<user>`), unless `homeFor` is given. */
  root: string;
  /** The user's home folder; scripts go to `<home>/sieve`, the active link is `<home>/.dovecot.sieve`. */
  homeFor?: (user: string) => string | Promise<string>;
  quota?: Partial<QuotaLimits>;
}

const SUFFIX = '.sieve';
const ACTIVE_LINK = '.dovecot.sieve';
/** Where a `.dovecot.sieve` that is a plain file (not a link) is kept when the link takes its place. */
const ORIGINAL_NAME = 'dovecot.orig';

/**
 * Turns a user name into one safe folder name: bytes outside a conservative set become `%XX`,
 * and a leading dot is encoded too, so `.`, `..` and `a/b` can never name another folder.
 */
export function userFolderName(user: string): string {
  if (user.length === 0) throw new ScriptStoreError('INVALIDNAME', 'Empty user name');
  let out = '';
  for (const b of Buffer.from(user, 'utf8')) {
    const c = String.fromCharCode(b);
    const safe = /[A-Za-z0-9_@+=-]/.test(c) || (c === '.' && out.length > 0);
    out += safe ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;
}

/**
 * Scripts as files, laid out as Dovecot Pigeonhole does (`sieve = file:~/sieve;active=~/.dovecot.sieve`):
 * `<home>/sieve/NAME.sieve`, the active one pointed to by the relative symlink `<home>/.dovecot.sieve`.
 * Writes go to `<home>/sieve/tmp`, are fsynced and renamed into place, so readers (and mail delivery)
 * only ever see a whole old or a whole new script. Changes of one user are serialised in-process.
 */
export class FileScriptStore implements ScriptStore {
  private readonly mutex = new KeyedMutex();
  readonly quota: QuotaLimits;

  constructor(private readonly options: FileScriptStoreOptions) {
    this.quota = { ...DEFAULT_QUOTA, ...options.quota };
  }

  async homeOf(user: string): Promise<string> {
    if (this.options.homeFor) return path.resolve(await this.options.homeFor(user));
    return path.resolve(this.options.root, userFolderName(user));
  }

  private async sieveDir(user: string): Promise<string> {
    return path.join(await this.homeOf(user), 'sieve');
  }

  private async scriptPath(user: string, name: string): Promise<string> {
    const problem = scriptNameProblem(name);
    if (problem) throw new ScriptStoreError('INVALIDNAME', `Invalid script name: ${problem}`);
    return path.join(await this.sieveDir(user), name + SUFFIX);
  }

  private async ensureDirs(user: string): Promise<void> {
    await fs.mkdir(path.join(await this.sieveDir(user), 'tmp'), { recursive: true, mode: 0o700 });
  }

  private async tmpPath(user: string, ext: string): Promise<string> {
    return path.join(
      await this.sieveDir(user),
      'tmp',
      `${process.pid}.${randomBytes(8).toString('hex')}${ext}`,
    );
  }

  /** Names of the user's script files, in directory order. */
  private async names(user: string): Promise<string[]> {
    let entries;
    try {
      entries = await fs.readdir(await this.sieveDir(user), { withFileTypes: true });
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return [];
      throw e;
    }
    return entries
      .filter((ent) => ent.isFile() && ent.name.endsWith(SUFFIX))
      .map((ent) => ent.name.slice(0, -SUFFIX.length))
      .filter((name) => !scriptNameProblem(name));
  }

  /** Script name -> size, for every script file of the user. */
  private async sizes(user: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const dir = await this.sieveDir(user);
    const names = await this.names(user);
    const stats = await Promise.all(
      names.map((name) =>
        fs.lstat(path.join(dir, name + SUFFIX)).catch((e: unknown) => {
          if (isErrno(e, 'ENOENT')) return null;
          throw e;
        }),
      ),
    );
    names.forEach((name, i) => {
      const st = stats[i];
      if (st) out.set(name, st.size);
    });
    return out;
  }

  /** The active script's name from the link, without following it; null when none or not one of ours. */
  private async activeName(user: string): Promise<string | null> {
    const home = await this.homeOf(user);
    let target: string;
    try {
      target = await fs.readlink(path.join(home, ACTIVE_LINK));
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'EINVAL')) return null;
      throw e;
    }
    const resolved = path.resolve(home, target);
    if (path.dirname(resolved) !== path.join(home, 'sieve')) return null;
    const base = path.basename(resolved);
    if (!base.endsWith(SUFFIX)) return null;
    const name = base.slice(0, -SUFFIX.length);
    return scriptNameProblem(name) ? null : name;
  }

  private async readScript(file: string): Promise<Buffer | null> {
    let fh;
    try {
      // Never follow a link planted inside the scripts folder.
      fh = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ELOOP')) return null;
      throw e;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) return null;
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  async list(user: string): Promise<ScriptInfo[]> {
    const [names, active] = await Promise.all([this.names(user), this.activeName(user)]);
    return names.map((name) => ({ name, active: name === active }));
  }

  async get(user: string, name: string): Promise<Buffer | null> {
    return this.readScript(await this.scriptPath(user, name));
  }

  async haveSpace(user: string, name: string, size: number): Promise<QuotaCheck> {
    return checkQuota(this.quota, await this.usage(user), name, size);
  }

  /** What the quota check needs: nothing to scan when only the per-script size is limited. */
  private async usage(user: string): Promise<Map<string, number>> {
    if (this.quota.maxScripts === 0 && this.quota.maxStorage === 0) return new Map();
    if (this.quota.maxStorage === 0) return new Map((await this.names(user)).map((n) => [n, 0]));
    return this.sizes(user);
  }

  async put(user: string, name: string, content: Buffer): Promise<void> {
    const file = await this.scriptPath(user, name);
    await this.mutex.run(user, async () => {
      const check = checkQuota(this.quota, await this.usage(user), name, content.length);
      if (!check.ok) throw new ScriptStoreError(check.code, check.message);
      await this.ensureDirs(user);
      const tmp = await this.tmpPath(user, '.tmp');
      const fh = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await fh.writeFile(content);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await fs.rename(tmp, file);
      } catch (e) {
        await fs.rm(tmp, { force: true });
        throw e;
      }
    });
  }

  // Another process on the same folder may remove a script between any two steps below, so a
  // vanished file (ENOENT) is the script not existing, never a server failure.

  async delete(user: string, name: string): Promise<void> {
    const file = await this.scriptPath(user, name);
    await this.mutex.run(user, async () => {
      if ((await this.activeName(user)) === name) {
        throw new ScriptStoreError('ACTIVE', 'Cannot delete the active Sieve script.');
      }
      if (!(await this.isScript(file))) throw notFound(name);
      try {
        await fs.unlink(file);
      } catch (e) {
        if (isErrno(e, 'ENOENT')) throw notFound(name);
        throw e;
      }
    });
  }

  private async isScript(file: string): Promise<boolean> {
    try {
      return (await fs.lstat(file)).isFile();
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return false;
      throw e;
    }
  }

  async rename(user: string, oldName: string, newName: string): Promise<void> {
    const from = await this.scriptPath(user, oldName);
    const to = await this.scriptPath(user, newName);
    await this.mutex.run(user, async () => {
      if (!(await this.isScript(from))) throw notFound(oldName);
      // link() refuses to replace an existing file, so even another process cannot be overwritten.
      try {
        await fs.link(from, to);
      } catch (e) {
        if (isErrno(e, 'EEXIST')) {
          throw new ScriptStoreError('ALREADYEXISTS', 'A sieve script with that name already exists.');
        }
        if (isErrno(e, 'ENOENT')) throw notFound(oldName);
        throw e;
      }
      // Repoint the active link before the old name disappears, so it never dangles.
      if ((await this.activeName(user)) === oldName) await this.pointActiveLink(user, newName);
      try {
        await fs.unlink(from);
      } catch (e) {
        if (!isErrno(e, 'ENOENT')) throw e;
        // Another process renamed or deleted the script first: take our copy back.
        await this.undoLostRename(user, newName, to);
        throw notFound(oldName);
      }
    });
  }

  /**
   * Removes the new name of a rename that lost a race. When the active link was pointed at it, it is
   * pointed at another name of the same file (the winner's rename), or the copy is kept.
   */
  private async undoLostRename(user: string, newName: string, to: string): Promise<void> {
    if ((await this.activeName(user)) === newName) {
      const ino = (await fs.lstat(to)).ino;
      const dir = await this.sieveDir(user);
      let other: string | null = null;
      for (const name of await this.names(user)) {
        if (name === newName) continue;
        const st = await fs.lstat(path.join(dir, name + SUFFIX)).catch(() => null);
        if (st?.ino === ino) other = name;
      }
      if (other === null) return;
      await this.pointActiveLink(user, other);
    }
    await fs.rm(to, { force: true });
  }

  /** Atomically replaces `<home>/.dovecot.sieve` with a link to the named script. */
  private async pointActiveLink(user: string, name: string): Promise<void> {
    await this.ensureDirs(user);
    const tmp = await this.tmpPath(user, '.lnk');
    await fs.symlink(path.join('sieve', name + SUFFIX), tmp);
    try {
      await fs.rename(tmp, path.join(await this.homeOf(user), ACTIVE_LINK));
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  /** A plain-file `.dovecot.sieve` (written by hand or another tool) is kept as a script instead of being lost. */
  private async adoptPlainActiveFile(user: string): Promise<void> {
    const link = path.join(await this.homeOf(user), ACTIVE_LINK);
    try {
      const st = await fs.lstat(link);
      if (!st.isFile()) return;
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return;
      throw e;
    }
    await this.ensureDirs(user);
    await fs.rename(link, path.join(await this.sieveDir(user), ORIGINAL_NAME + SUFFIX));
  }

  async setActive(user: string, name: string | null): Promise<SetActiveResult> {
    const file = name === null ? null : await this.scriptPath(user, name);
    return this.mutex.run(user, async () => {
      await this.adoptPlainActiveFile(user);
      if (name === null || file === null) {
        try {
          await fs.unlink(path.join(await this.homeOf(user), ACTIVE_LINK));
          return 'deactivated';
        } catch (e) {
          if (isErrno(e, 'ENOENT')) return 'none-active';
          throw e;
        }
      }
      if (!(await this.isScript(file))) throw notFound(name);
      await this.pointActiveLink(user, name);
      return 'activated';
    });
  }

  async getActive(user: string): Promise<ActiveScript | null> {
    const link = path.join(await this.homeOf(user), ACTIVE_LINK);
    const name = await this.activeName(user);
    if (name === null) {
      // A plain file in place of the link still is the user's active script for delivery.
      const content = await this.readScript(link);
      return content ? { name: ORIGINAL_NAME, content } : null;
    }
    const content = await this.readScript(await this.scriptPath(user, name));
    return content ? { name, content } : null;
  }
}

function notFound(name: string): ScriptStoreError {
  return new ScriptStoreError('NONEXISTENT', `Sieve script \`${name}' not found`);
}
