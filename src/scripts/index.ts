export * from './types.js';
export { FileScriptStore, userFolderName, type FileScriptStoreOptions } from './file-store.js';
export { KeyedMutex } from './mutex.js';
export { scriptNameProblem, parseScriptName, MAX_NAME_CHARS, MAX_NAME_BYTES } from './names.js';
export { createIncludeLoader, type IncludeLoader, type IncludeLoaderOptions } from './include-loader.js';
