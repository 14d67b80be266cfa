export * from './types.js';
export { FileScriptStore, userFolderName, type FileScriptStoreOptions } from './file-store.js';
export { KeyedMutex } from './mutex.js';
export { scriptNameProblem, parseScriptName, MAX_NAME_CHARS } from './names.js';
