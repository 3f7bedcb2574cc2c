/**
 * Sieve scripts and vacation replies (interfaces.ts `SieveScriptStore`): the rules every backend
 * shares (script names, sizes, counts, the vacation period). See docs/adr/0023.
 */
import { StoreError } from './types.js';

/** RFC 5804 1.6: a script name is 1..128 characters, no control characters. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const SCRIPT_NAME = /^[^\u0000-\u001f\u007f\u0080-\u009f\u2028\u2029]{1,128}$/u;
/** Scripts one user may keep (ManageSieve answers QUOTA/MAXSCRIPTS past it, RFC 5804 1.3). */
export const MAX_SIEVE_SCRIPTS = 32;
/** Octets of one script: the interpreter's own cap (packages/sieve maxScriptBytes) repeated here. */
export const MAX_SIEVE_SCRIPT_BYTES = 256 * 1024;
/** RFC 5230 4.1: `:days` is counted in whole days. */
export const DAY_MS = 86_400_000;

export interface SieveScriptInfo {
  name: string;
  active: boolean;
}

export interface ActiveSieveScript {
  name: string;
  content: string;
  /** The user's address: the envelope "to" of a run. */
  address: string;
}

export function checkScriptName(name: string): void {
  if (!SCRIPT_NAME.test(name)) throw new StoreError('INVALID', 'invalid script name');
}

/** The checks of a script upload that need no data: its name and size. */
export function checkScript(name: string, content: string): void {
  checkScriptName(name);
  if (Buffer.byteLength(content, 'utf8') > MAX_SIEVE_SCRIPT_BYTES) {
    throw new StoreError('INVALID', `script larger than ${MAX_SIEVE_SCRIPT_BYTES} octets`);
  }
}

/** Whether a reply sent at `sentAt` still silences a new one at `now` (RFC 5230 4.1). */
export function withinVacationPeriod(sentAt: number, days: number, now: number): boolean {
  return now - sentAt < days * DAY_MS;
}
