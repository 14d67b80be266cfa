import { cp } from 'node:fs/promises';
import { defineConfig } from 'tsup';

const PAGE_SRC = 'src/webmail/page';
const PAGE_OUT = 'dist/webmail/page';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      extension: 'src/extension.ts',
      managesieve: 'src/managesieve/index.ts',
      accounts: 'src/accounts/index.ts',
      scripts: 'src/scripts/index.ts',
      autoresponder: 'src/autoresponder/index.ts',
      webmail: 'src/webmail/index.ts',
      app: 'src/app/index.ts',
      // Loaded by HashPool as a worker thread, from a file of its own.
      'accounts/hash-worker': 'src/accounts/hash-worker.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    // Lazily loaded dependencies are found relative to the module (import.meta.url in CommonJS).
    shims: true,
    // chevrotain is published as ESM only; bundling it keeps the CommonJS build loadable.
    noExternal: ['chevrotain', 'lodash-es', /^@chevrotain\//],
    sourcemap: true,
    target: 'node20',
  },
  {
    // The command line as one CommonJS bundle, so that it can run with a V8 code cache (see
    // src/cli/main.ts). Subcommands still run their modules' code on demand.
    entry: { 'cli/cli': 'src/cli/cli.ts' },
    format: ['cjs'],
    shims: true,
    sourcemap: true,
    target: 'node20',
    // commander is bundled too, so that the code cache covers it: every command parses its arguments.
    noExternal: ['chevrotain', 'lodash-es', /^@chevrotain\//, 'commander'],
    // Every command reads the whole bundle first: without blanks and dead branches it is half the
    // size. Names stay, so stack traces still read (and the source map maps them back).
    minifyWhitespace: true,
    minifySyntax: true,
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['cjs'],
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The webmail settings page: one browser script, next to its HTML, CSS and translations.
    entry: { app: `${PAGE_SRC}/app.ts` },
    outDir: PAGE_OUT,
    format: ['iife'],
    platform: 'browser',
    target: 'es2020',
    minify: true,
    outExtension: () => ({ js: '.js' }),
    async onSuccess() {
      for (const f of ['index.html', 'app.css', 'i18n']) {
        await cp(`${PAGE_SRC}/${f}`, `${PAGE_OUT}/${f}`, { recursive: true });
      }
    },
  },
]);
