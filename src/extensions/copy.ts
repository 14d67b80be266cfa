import type { Extension } from './types.js';

/** RFC 3894: :copy keeps the implicit keep in force for fileinto and redirect. */
export const copyExtension: Extension = {
  name: 'copy',
  tagsFor: [
    { command: 'fileinto', tag: { name: 'copy' } },
    { command: 'redirect', tag: { name: 'copy' } },
  ],
};
