import { parseScriptName, printableName } from '../../../scripts/names.js';
import { encodeLiteral, encodeString } from '../../protocol/strings.js';
import { encodeResponse, parseNumber } from '../../protocol/wire.js';
import { no, ok, scriptTooLarge } from '../responses.js';
import { stringArg, type CommandHandler, type CommandSession } from './types.js';
import { compileUpload } from './upload.js';

/** The script name of an argument, or null after answering NO for an invalid one. */
function nameOrReply(s: CommandSession, data: Buffer): string | null {
  const parsed = parseScriptName(data);
  if ('name' in parsed) return parsed.name;
  s.reply(no(`Invalid Sieve script name \`${printableName(data)}' (${parsed.problem}).`));
  return null;
}

function notFound(name: string): ReturnType<typeof no> {
  return no(`Sieve script \`${name}' not found`, 'NONEXISTENT');
}

export const haveSpace: CommandHandler = async (s, args) => {
  const size = parseNumber(args[1]!);
  if (size === null) {
    s.bad('Error in MANAGESIEVE command HAVESPACE: Invalid size argument.');
    return true;
  }
  const name = nameOrReply(s, stringArg(args, 0));
  if (name === null) return true;
  const tooLarge = scriptTooLarge(s.ctx, size);
  if (tooLarge) {
    s.reply(tooLarge);
    return true;
  }
  const check = await s.ctx.store.haveSpace(s.user!, name, size);
  s.reply(check.ok ? ok('Putscript would succeed.') : no(check.message, check.code));
  return true;
};

export const putScript: CommandHandler = async (s, args) => {
  const name = nameOrReply(s, stringArg(args, 0));
  if (name === null) return true;
  const script = stringArg(args, 1);
  const tooLarge = scriptTooLarge(s.ctx, script.length);
  if (tooLarge) {
    s.reply(tooLarge);
    return true;
  }
  const compiled = await compileUpload(s.ctx, s.user!, script, `${name}: `);
  if ('error' in compiled) {
    s.reply(compiled.error);
    return true;
  }
  await s.ctx.store.put(s.user!, name, script);
  s.reply(compiled.warnings ? ok(compiled.warnings, 'WARNINGS') : ok('PUTSCRIPT completed.'));
  return true;
};

export const checkScript: CommandHandler = async (s, args) => {
  const compiled = await compileUpload(s.ctx, s.user!, stringArg(args, 0), '');
  if ('error' in compiled) s.reply(compiled.error);
  else if (compiled.warnings) s.reply(ok(compiled.warnings, 'WARNINGS'));
  else s.reply(ok('Script checked successfully.'));
  return true;
};

export const listScripts: CommandHandler = async (s) => {
  const scripts = await s.ctx.store.list(s.user!);
  const lines: Buffer[] = scripts.map((sc) =>
    Buffer.concat([encodeString(sc.name), Buffer.from(sc.active ? ' ACTIVE\r\n' : '\r\n')]),
  );
  lines.push(encodeResponse(ok('Listscripts completed.')));
  await s.send(Buffer.concat(lines));
  return true;
};

export const setActive: CommandHandler = async (s, args) => {
  const nameData = stringArg(args, 0);
  if (nameData.length === 0) {
    const r = await s.ctx.store.setActive(s.user!, null);
    s.reply(ok(r === 'deactivated' ? 'Active script is now deactivated.' : 'No scripts currently active.'));
    return true;
  }
  const name = nameOrReply(s, nameData);
  if (name === null) return true;
  await s.ctx.store.setActive(s.user!, name);
  s.reply(ok('Setactive completed.'));
  return true;
};

export const getScript: CommandHandler = async (s, args) => {
  const name = nameOrReply(s, stringArg(args, 0));
  if (name === null) return true;
  const content = await s.ctx.store.get(s.user!, name);
  if (content === null) {
    s.reply(notFound(name));
    return true;
  }
  await s.send(
    Buffer.concat([encodeLiteral(content), Buffer.from('\r\n'), encodeResponse(ok('Getscript completed.'))]),
  );
  return true;
};

export const deleteScript: CommandHandler = async (s, args) => {
  const name = nameOrReply(s, stringArg(args, 0));
  if (name === null) return true;
  await s.ctx.store.delete(s.user!, name);
  s.reply(ok('Deletescript completed.'));
  return true;
};

export const renameScript: CommandHandler = async (s, args) => {
  const oldName = nameOrReply(s, stringArg(args, 0));
  if (oldName === null) return true;
  const newData = stringArg(args, 1);
  // Like Dovecot: a missing source script is reported before a bad new name.
  if ('problem' in parseScriptName(newData) && (await s.ctx.store.get(s.user!, oldName)) === null) {
    s.reply(notFound(oldName));
    return true;
  }
  const newName = nameOrReply(s, newData);
  if (newName === null) return true;
  await s.ctx.store.rename(s.user!, oldName, newName);
  s.reply(ok('Renamescript completed.'));
  return true;
};
