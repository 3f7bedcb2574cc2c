/**
 * The Sieve scripts store's contract (ManageSieve, the CLI and delivery use it) and the rules every
 * backend shares: script names, sizes and counts. See docs/adr/0017.
 */
import { StoreError } from './types.js';

/** RFC 5804 1.6: a script name is 1..128 characters, no control characters. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const SCRIPT_NAME = /^[^\u0000-\u001f\u007f\u0080-\u009f\u2028\u2029]{1,128}$/u;
/** Scripts one user may keep (ManageSieve answers QUOTA/MAXSCRIPTS past it, RFC 5804 1.3). */
export const MAX_SIEVE_SCRIPTS = 32;
/** Octets of one script: the interpreter's own cap (packages/sieve maxScriptBytes) repeated here. */
export const MAX_SIEVE_SCRIPT_BYTES = 256 * 1024;

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

/** The narrow interface ManageSieve, the CLI and delivery use. */
export interface SieveScriptStore {
  listScripts(userId: number): Promise<SieveScriptInfo[]>;
  getScript(userId: number, name: string): Promise<string | null>;
  /** Every script of the user by name (for RFC 6609 include at delivery). */
  allScripts(userId: number): Promise<Map<string, string>>;
  /** Creates or replaces a script; keeps its active mark. Throws INVALID past the limits. */
  putScript(userId: number, name: string, content: string): Promise<void>;
  /** Throws NOT_FOUND, or LOCKED for the active script (RFC 5804 2.10: deactivate first). */
  deleteScript(userId: number, name: string): Promise<void>;
  /** Throws NOT_FOUND or ALREADY_EXISTS (RFC 5804 2.11.1). */
  renameScript(userId: number, from: string, to: string): Promise<void>;
  /** Marks one script active (null: none). Throws NOT_FOUND. */
  setActive(userId: number, name: string | null): Promise<void>;
  activeScript(userId: number): Promise<ActiveSieveScript | null>;
  /**
   * RFC 5230 4.1: records a vacation reply to `sender` and says whether to send it: false when one
   * was sent for the same handle within `days`. Check and record are one transaction.
   */
  claimVacationReply(
    userId: number,
    handle: string,
    sender: string,
    days: number,
    now?: number,
  ): Promise<boolean>;
  close(): void;
}

export function checkScriptName(name: string): void {
  if (!SCRIPT_NAME.test(name)) throw new StoreError('INVALID', 'invalid script name');
}
