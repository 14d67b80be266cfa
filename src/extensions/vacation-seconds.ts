import type { Extension } from './types.js';

/** RFC 6131: :seconds on vacation, exclusive with :days; requiring it brings vacation along. */
export const vacationSecondsExtension: Extension = {
  name: 'vacation-seconds',
  implies: ['vacation'],
  tagsFor: [{ command: 'vacation', tag: { name: 'seconds', param: 'number', group: 'period' } }],
};
