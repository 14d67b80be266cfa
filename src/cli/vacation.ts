import type { Command } from 'commander';
import type { CliIo } from './read-secret.js';
import { registerRuleCommand } from './rule-commands.js';

/** Registers `tamis vacation show|set|enable|disable`: the out-of-office rule of a script. */
export function registerVacationCommand(program: Command, io?: CliIo): void {
  registerRuleCommand(program, 'vacation', io);
}
