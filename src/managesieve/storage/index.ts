export * from './types.js';
export { FileScriptStore, userFolderName, type FileScriptStoreOptions } from './fs-store.js';
export { KeyedMutex } from './mutex.js';
