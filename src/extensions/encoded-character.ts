import type { Extension } from './types.js';

/** RFC 5228 §2.4.2.4: `${hex:..}` and `${unicode:..}` in strings; the compiler decodes them when required. */
export const encodedCharacterExtension: Extension = { name: 'encoded-character' };
