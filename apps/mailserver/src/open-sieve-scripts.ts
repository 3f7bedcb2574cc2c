import { openSieveScripts, type SieveScriptStore } from '@minimail/store';
import { storePath } from './paths.js';

/** The Sieve scripts of the data dir's store file (ADR 0017: their own SQLite connection). */
export function openAppSieveScripts(dataDir: string): SieveScriptStore {
  return openSieveScripts(storePath(dataDir));
}
