export * from './types.js';
export { openStore, SqliteMailStore, type OpenStoreOptions, type StoreLogger } from './sqlite-store.js';
export { hashPassword, verifyPasswordHash } from './password.js';
export { LATEST_SCHEMA_VERSION } from './migrations/index.js';
export { restoreDatabase as restoreStore, verifyStoreFile } from './backup.js';
export {
  openSieveScripts,
  checkScriptName,
  MAX_SIEVE_SCRIPTS,
  MAX_SIEVE_SCRIPT_BYTES,
  type SieveScriptStore,
  type SieveScriptInfo,
  type ActiveSieveScript,
} from './sieve-scripts.js';
