import type { Extension } from './types.js';
import { decodeEncodedCharacters } from '../compiler/strings.js';

/** RFC 5228 §2.4.2.4: `${hex:..}` and `${unicode:..}` in strings, decoded at compile time once required. */
export const encodedCharacterExtension: Extension = {
  name: 'encoded-character',
  strings: {
    decode(text, cx, pos) {
      const decoded = decodeEncodedCharacters(text);
      if (decoded.error) cx.error(pos, decoded.error, 'bad-encoded-character');
      return decoded.value;
    },
  },
};
