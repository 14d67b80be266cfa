import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
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
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    // Subcommands load their code on demand, so `tamis filter` never loads the ManageSieve server.
    splitting: true,
    // chevrotain's package entry pulls in hundreds of small lodash-es files; bundled, it loads at once.
    noExternal: ['chevrotain', 'lodash-es', /^@chevrotain\//],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
