import { encodeResponse } from '../../protocol/wire.js';
import { ok } from '../responses.js';
import { stringArg, type CommandHandler } from './types.js';

export const capability: CommandHandler = async (s) => {
  await s.sendCapabilities();
  s.reply(ok('Capability completed.'));
  return true;
};

export const logout: CommandHandler = (s) => {
  s.reply(ok('Logout completed.'));
  return false;
};

/** NOOP with an argument echoes it as a TAG response code (RFC 5804 section 2.13). */
export const noop: CommandHandler = (s, args) => {
  if (args.length === 1)
    s.write(encodeResponse({ kind: 'OK', code: { name: 'TAG', arg: stringArg(args, 0) }, text: 'Done' }));
  else s.reply(ok('NOOP completed.'));
  return true;
};
