import { randomBytes } from 'node:crypto';
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import type { ScramCredentials, UserDirectory } from './types.js';
import { AuthCache, type AuthCacheOptions } from './auth-cache.js';
import type { HashPool } from './hash-pool.js';

/**
 * The password schemes (bcryptjs, hash-wasm, the SHA-crypt rounds) are loaded on the first
 * password check: a process that only looks users up, such as `tamis deliver`, never needs them.
 */
const schemes = (): Promise<typeof import('./schemes.js')> => import('./schemes.js');

/** One user line of a Dovecot passwd-file: `user:password:uid:gid:gecos:home:shell:extra`. */
export interface PasswdEntry {
  user: string;
  /** Stored password, with or without a `{SCHEME}` prefix; '' when none. */
  password: string;
  uid: string;
  gid: string;
  gecos: string;
  home: string;
  shell: string;
  /** Space-separated `key=value` extra fields (Dovecot's userdb_/passdb extras). */
  extra: Record<string, string>;
  /** 1-based line number in the file. */
  line: number;
}

export interface PasswdFileOptions {
  /**
   * Scheme for passwords written without `{SCHEME}`. 'CRYPT' (the default, like Dovecot's passwd-file)
   * recognises crypt(3) prefixes ($6$, $5$, $2y$, $argon2id$); anything else never matches.
   * 'PLAIN' treats such values as clear text.
   */
  defaultScheme?: 'CRYPT' | 'PLAIN';
  /** Cache of verification results (off when absent); a user's entries go when their line changes. */
  authCache?: AuthCacheOptions;
  /** Verify hashes on these worker threads instead of the calling thread. */
  hashPool?: HashPool;
}

/** Parses passwd-file text. Malformed lines are reported in `errors` and skipped. */
export function parsePasswdFile(text: string): { entries: PasswdEntry[]; errors: string[] } {
  const entries: PasswdEntry[] = [];
  const errors: string[] = [];
  const lines = text.split('\n');
  lines.forEach((rawLine, i) => {
    const raw = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const f = raw.split(':');
    const user = f[0]!;
    if (user === '' || /\s/.test(user)) {
      errors.push(`line ${i + 1}: missing or invalid user name`);
      return;
    }
    // Extra fields may themselves contain ':' (e.g. a URL), so everything after the 7th separator is kept whole.
    const extraText = f.slice(7).join(':');
    const extra: Record<string, string> = {};
    for (const kv of extraText.split(/\s+/)) {
      if (kv === '') continue;
      const eq = kv.indexOf('=');
      if (eq < 0) extra[kv] = '';
      else extra[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    entries.push({
      user,
      password: f[1] ?? '',
      uid: f[2] ?? '',
      gid: f[3] ?? '',
      gecos: f[4] ?? '',
      home: f[5] ?? '',
      shell: f[6] ?? '',
      extra,
      line: i + 1,
    });
  });
  return { entries, errors };
}

export function formatPasswdEntry(e: Omit<PasswdEntry, 'line'>): string {
  const extra = Object.entries(e.extra)
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
    .join(' ');
  return [e.user, e.password, e.uid, e.gid, e.gecos, e.home, e.shell, extra].join(':');
}

// A fixed hash to spend comparable time on unknown users, so response time does not reveal who exists.
const DUMMY_HASH = '{SHA512-CRYPT}$6$' + randomBytes(12).toString('base64').replace(/[+=]/g, '.') + '$x';

/**
 * A user directory backed by a Dovecot passwd-file. The file is re-read whenever its mtime, size or inode
 * changes (checked on each lookup), so edits such as `tamis users add` apply without a restart.
 * A missing file means no users.
 */
export class PasswdFileDirectory implements UserDirectory {
  readonly supportsScram = true;
  private readonly defaultScheme: 'CRYPT' | 'PLAIN';
  private users = new Map<string, PasswdEntry>();
  private stamp = '';
  private loading: Promise<void> | null = null;
  private readonly cache: AuthCache | null;
  private readonly pool: HashPool | undefined;
  /** Problems found in the file at the last load (line numbers and reasons, never passwords). */
  errors: string[] = [];

  constructor(
    readonly file: string,
    opts: PasswdFileOptions = {},
  ) {
    this.defaultScheme = opts.defaultScheme ?? 'CRYPT';
    this.cache = opts.authCache ? new AuthCache(opts.authCache) : null;
    this.pool = opts.hashPool;
  }

  /** Re-reads the file if it changed since the last read. */
  async refresh(): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = this.reloadIfChanged().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async reloadIfChanged(): Promise<void> {
    let stamp: string;
    try {
      // In the calling thread: this runs on every lookup, several times per delivery, and a stat
      // of a local file costs less than a round trip to the thread pool.
      const st = statSync(this.file);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      stamp = 'missing';
    }
    if (stamp === this.stamp) return;
    let text = '';
    if (stamp !== 'missing') {
      try {
        text = await fs.readFile(this.file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const { entries, errors } = parsePasswdFile(text);
    const users = new Map<string, PasswdEntry>();
    for (const e of entries) {
      // Like Dovecot, the first line for a user wins.
      if (users.has(e.user)) errors.push(`line ${e.line}: duplicate user ${JSON.stringify(e.user)} ignored`);
      else users.set(e.user, e);
    }
    if (this.cache) {
      const line = (e: PasswdEntry | undefined): string => (e ? JSON.stringify([e.password, e.extra]) : '');
      for (const u of new Set([...this.users.keys(), ...users.keys()]))
        if (line(this.users.get(u)) !== line(users.get(u))) this.cache.flushUser(u);
    }
    this.users = users;
    this.errors = errors;
    this.stamp = stamp;
  }

  /** The entry for `user`, or null. */
  async lookup(user: string): Promise<PasswdEntry | null> {
    await this.refresh();
    return this.users.get(user) ?? null;
  }

  async exists(user: string): Promise<boolean> {
    return (await this.lookup(user)) !== null;
  }

  async verifyPassword(user: string, password: string): Promise<boolean> {
    const e = await this.lookup(user);
    if (!e || e.password === '' || 'nologin' in e.extra) {
      await this.check(password, DUMMY_HASH);
      return false;
    }
    const cached = this.cache?.get(user, password);
    if (cached !== undefined) return cached;
    const ok = await this.check(password, e.password, this.defaultScheme);
    this.cache?.set(user, password, ok);
    return ok;
  }

  private check(password: string, stored: string, defaultScheme?: string): Promise<boolean> {
    const pool = this.pool;
    return pool
      ? pool.verify(password, stored, defaultScheme)
      : schemes().then((s) => s.verifyPassword(password, stored, defaultScheme));
  }

  async scramSha256(user: string): Promise<ScramCredentials | null> {
    const e = await this.lookup(user);
    if (!e || 'nologin' in e.extra) return null;
    const { splitScheme, parseScramSha256 } = await schemes();
    const { scheme, value } = splitScheme(e.password);
    return scheme === 'SCRAM-SHA-256' ? parseScramSha256(value) : null;
  }

  /** The user's home directory from the file (field 6, else the `userdb_home` extra field), or null. */
  async home(user: string): Promise<string | null> {
    const e = await this.lookup(user);
    if (!e) return null;
    return e.home || e.extra['userdb_home'] || null;
  }

  /** All user names currently in the file. */
  async list(): Promise<string[]> {
    await this.refresh();
    return [...this.users.keys()];
  }
}

/**
 * Adds or replaces the line for `entry.user` in a passwd-file, keeping every other line (comments included).
 * Writes a temporary file in the same directory with mode 0600 and renames it over the original, so readers
 * see either the old or the new file.
 */
export async function upsertPasswdEntry(
  file: string,
  entry: Omit<PasswdEntry, 'line'>,
): Promise<'added' | 'replaced'> {
  if (!entry.user || /[:\s]/.test(entry.user))
    throw new Error('user names cannot be empty or contain ":" or spaces');
  for (const v of [entry.password, entry.uid, entry.gid, entry.gecos, entry.home, entry.shell]) {
    if (/[:\r\n]/.test(v)) throw new Error('passwd-file fields cannot contain ":" or line breaks');
  }
  let text = '';
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const newLine = formatPasswdEntry(entry);
  let result: 'added' | 'replaced' = 'added';
  const out: string[] = [];
  for (const l of lines) {
    const t = l.trim();
    if (t !== '' && !t.startsWith('#') && l.split(':')[0] === entry.user) {
      // Replace the first occurrence, drop later duplicates.
      if (result === 'added') out.push(newLine);
      result = 'replaced';
    } else out.push(l);
  }
  if (result === 'added') out.push(newLine);
  // A new users file in a new data folder: the folder is private, as the data folder is.
  if (text === '') await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(out.join('\n') + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.chmod(tmp, 0o600);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return result;
}
