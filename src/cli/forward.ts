import type { Command } from 'commander';
import type { CliIo } from './read-secret.js';
import { registerRuleCommand } from './rule-commands.js';

/** Registers `tamis forward show|set|enable|disable`: the forwarding rule of a script. */
export function registerForwardCommand(program: Command, io?: CliIo): void {
  registerRuleCommand(program, 'forward', io);
}
