/** Every command the server knows: the login state it needs, its argument shape and its handler. */
import type { Token } from '../../protocol/wire.js';
import { authenticate, startTls, unauthenticate } from '../auth.js';
import { capability, logout, noop } from './general.js';
import {
  checkScript,
  deleteScript,
  getScript,
  haveSpace,
  listScripts,
  putScript,
  renameScript,
  setActive,
} from './scripts.js';
import type { ArgShape, CommandSpec } from './types.js';

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map<string, CommandSpec>([
  ['CAPABILITY', { state: 'any', args: [], run: capability }],
  ['LOGOUT', { state: 'any', args: [], run: logout }],
  ['NOOP', { state: 'any', args: ['?s'], run: noop }],
  ['STARTTLS', { state: 'unauthenticated', args: [], run: startTls }],
  ['AUTHENTICATE', { state: 'unauthenticated', args: ['s', '?s'], run: authenticate }],
  ['UNAUTHENTICATE', { state: 'authenticated', args: [], run: unauthenticate }],
  ['HAVESPACE', { state: 'authenticated', args: ['s', 'n'], run: haveSpace }],
  ['PUTSCRIPT', { state: 'authenticated', args: ['s', 's'], run: putScript }],
  ['CHECKSCRIPT', { state: 'authenticated', args: ['s'], run: checkScript }],
  ['LISTSCRIPTS', { state: 'authenticated', args: [], run: listScripts }],
  ['SETACTIVE', { state: 'authenticated', args: ['s'], run: setActive }],
  ['GETSCRIPT', { state: 'authenticated', args: ['s'], run: getScript }],
  ['DELETESCRIPT', { state: 'authenticated', args: ['s'], run: deleteScript }],
  ['RENAMESCRIPT', { state: 'authenticated', args: ['s', 's'], run: renameScript }],
]);

/** Why the arguments do not fit the shape, or null when they do. */
export function checkShape(args: Token[], shape: ArgShape[]): string | null {
  const required = shape.filter((s) => !s.startsWith('?')).length;
  if (args.length < required) return 'Missing arguments';
  if (args.length > shape.length) return 'Too many arguments';
  for (let i = 0; i < args.length; i++) {
    const want = shape[i]!.replace('?', '');
    const a = args[i]!;
    if (want === 's' && a.kind !== 'string') return `Argument ${i + 1} must be a string`;
    if (want === 'n' && (a.kind !== 'atom' || !/^\d+$/.test(a.value)))
      return `Argument ${i + 1} must be a number`;
  }
  return null;
}
