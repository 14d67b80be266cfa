export * from './strings.js';
export * from './wire.js';
export * from './names.js';
export * from './reader.js';
export * from './command.js';
