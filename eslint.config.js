import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The import rules of docs/architecture.md. Patterns match the import specifier, so a folder name
// anywhere in a relative path (`../runtime/x.js`) is caught.
const CORE = ['syntax', 'compiler', 'runtime', 'message', 'extensions', 'actions', 'settings'];
const STORES = ['accounts', 'scripts', 'stores', 'maildir'];
const HOSTS = ['managesieve', 'delivery', 'autoresponder', 'imapsieve', 'webmail'];
const WIRING = ['app', 'cli'];
const NO_IO_HOSTS = ['autoresponder'];
// The webmail reaches scripts through the ManageSieve client, and edits rules with the autoresponder library.
const WEBMAIL_USES = ['managesieve', 'autoresponder'];
const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'tls',
  'http',
  'https',
  'dgram',
  'child_process',
  'worker_threads',
];

const folders = (names) => names.map((n) => `**/${n}/**`);
const engineFiles = [
  '**/engine.js',
  '**/engine-types.js',
  '**/config.js',
  '**/diagnostics.js',
  '**/extension.js',
];
const io = IO_MODULES.flatMap((m) => [m, `node:${m}`]);

function restrict(files, groups, paths = [], message) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: paths.map((name) => ({ name, message })), patterns: [{ group: groups, message }] },
      ],
    },
  };
}

const coreFiles = [
  ...CORE.map((f) => `src/${f}/**`),
  'src/engine.ts',
  'src/engine-types.ts',
  'src/compile-cache.ts',
  'src/config.ts',
  'src/diagnostics.ts',
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'docs/diagrams/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  restrict(
    coreFiles,
    folders([...STORES, ...HOSTS, ...WIRING]),
    io,
    'the engine core does no I/O and imports only the core',
  ),
  restrict(
    STORES.map((f) => `src/${f}/**`),
    [...folders([...CORE, ...HOSTS, ...WIRING]), ...engineFiles, '../index.js'],
    [],
    'accounts, scripts, stores and maildir never import the engine or a host',
  ),
  ...HOSTS.map((host) =>
    restrict(
      [`src/${host}/**`],
      [
        ...folders([
          ...CORE,
          ...WIRING,
          ...HOSTS.filter((h) => h !== host && !(host === 'webmail' && WEBMAIL_USES.includes(h))),
        ]),
        ...engineFiles,
      ],
      // The autoresponder turns settings into text and back: it does no I/O at all.
      NO_IO_HOSTS.includes(host) ? io : [],
      NO_IO_HOSTS.includes(host)
        ? 'the autoresponder does no I/O, and uses the engine through src/index.ts only'
        : 'hosts use the engine through its public entry points (src/index.ts, src/extension.ts) and are wired in app/',
    ),
  ),
  restrict(
    ['src/cli/**', 'src/app/**'],
    [...folders(CORE), ...engineFiles],
    [],
    'the command line and the composition roots use the engine through src/index.ts and src/extension.ts',
  ),
);
