import type { Extension } from './types.js';
import { asciiNumeric } from '../runtime/comparators.js';

/** RFC 4790 §9.1 i;ascii-numeric, usable once a script requires "comparator-i;ascii-numeric". */
export const asciiNumericExtension: Extension = {
  name: 'comparator-i;ascii-numeric',
  comparators: [asciiNumeric],
};
