export * from './types.js';
export { openStore, SqliteMailStore, type OpenStoreOptions, type StoreLogger } from './sqlite-store.js';
export { hashPassword, verifyPasswordHash } from './password.js';
export { LATEST_SCHEMA_VERSION } from './migrations/index.js';
export { restoreDatabase as restoreStore, verifyStoreFile } from './backup.js';
export type * from './search/types.js';
export { MAX_PAGE_SIZE as SEARCH_MAX_PAGE_SIZE, MAX_QUERY_TERMS } from './search/search-index.js';
