/** ManageSieve's bounds, each with its reason. */
import { DEFAULT_LIMITS } from '@minimail/sieve';

/** A command line without literals; the longest real one is AUTHENTICATE with its initial response. */
export const MAX_LINE_BYTES = 8 * 1024;
/** A literal (a script in PUTSCRIPT/CHECKSCRIPT): the interpreter's own script cap. */
export const MAX_LITERAL_BYTES = DEFAULT_LIMITS.maxScriptBytes;
/** Arguments of one command (the most any command takes is 3). */
export const MAX_ARGUMENTS = 4;
/** Failed AUTHENTICATEs before the session is ended with BYE. */
export const MAX_AUTH_FAILURES = 3;
/** Unknown or malformed commands before the session is ended with BYE. */
export const MAX_BAD_COMMANDS = 10;
/** RFC 5804 does not set one; a client that says nothing for this long is logged out. */
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
/** Simultaneous sessions of one listener. */
export const DEFAULT_MAX_CLIENTS = 100;
