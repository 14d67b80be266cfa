import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { isFilterWorker } from './worker-arg.js';

/*
 * The `tamis` command. The command line itself is one CommonJS bundle, cli.cjs, which this file
 * runs through V8 with the code cache that the build writes next to it (cli.cjs.cache). V8 then
 * skips parsing and compiling most of the bundle, a good share of a short command's time.
 * A cache from another Node or V8 version is rejected by V8 and the bundle compiles as usual;
 * a missing or unreadable cache is the same.
 *
 * TAMIS_CODE_CACHE: `write` writes the cache when the run ends, holding the code the run
 * compiled (the build runs one `tamis test` to make it); `off` runs without it; `report` says on
 * stderr whether V8 took it.
 */

const mode = process.env.TAMIS_CODE_CACHE;
const bundle = join(__dirname, 'cli.cjs');
const cacheFile = `${bundle}.cache`;

let cachedData: Buffer | undefined;
if (mode !== 'off') {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache: the bundle compiles as usual.
  }
}

const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
if (mode === 'write' && !isFilterWorker()) {
  process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
}
if (mode === 'report' && !isFilterWorker()) {
  const state = !cachedData ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted';
  process.stderr.write(`tamis: code cache ${state}\n`);
}
/*
 * commander loads child_process as it loads, for executable subcommands, which tamis does not
 * have; that module costs a few milliseconds of every start. The bundle's require hands out a
 * stand-in that loads it on first use (the sendmail transport and the filter's workers still get
 * the real one).
 */
const bundleRequire = Module.createRequire(bundle);
let childProcess: unknown;
const lazyChildProcess = new Proxy(
  {},
  {
    get: (_, key) =>
      ((childProcess ??= bundleRequire('node:child_process')) as Record<PropertyKey, unknown>)[key],
  },
);
const requireForBundle = Object.assign(
  (id: string): unknown =>
    id === 'child_process' || id === 'node:child_process' ? lazyChildProcess : bundleRequire(id),
  bundleRequire,
);

const cjs = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void).call(
  cjs.exports,
  cjs.exports,
  requireForBundle,
  cjs,
  bundle,
  __dirname,
);
