import { StoreError } from '@minimail/store';
import type { StoreErrorCode } from '@minimail/store';
import { RESPONSE_CODES, err } from './replies.js';

/** The peer went away while we were writing; the session just ends. */
export class ConnectionClosedError extends Error {
  constructor() {
    super('connection closed');
    this.name = 'ConnectionClosedError';
  }
}

/**
 * Store failures as POP3 replies. Internal messages never reach the client; they are logged.
 * RFC 3206 4: SYS/TEMP when trying again later may work, SYS/PERM when it will not.
 */
const STORE_ERROR_REPLIES: Record<StoreErrorCode, string> = {
  NOT_FOUND: err('no such message'),
  ALREADY_EXISTS: err('internal error', RESPONSE_CODES.SYS_PERM),
  // Client input is checked before it reaches the store, so INVALID is a server-side condition
  // (a request the store refuses, e.g. a bad mailbox name), not the client's fault.
  INVALID: err('mail store unavailable, try again later', RESPONSE_CODES.SYS_TEMP),
  LOCKED: err('mail store is busy, try again later', RESPONSE_CODES.SYS_TEMP),
  // POP3 stores nothing; a quota refusal cannot happen here, and would be permanent.
  OVER_QUOTA: err('quota exceeded', RESPONSE_CODES.SYS_PERM),
  // Also a store that is closing during shutdown ('store is closed'; transaction.test.ts).
  TEMPORARY: err('mail store is busy, try again later', RESPONSE_CODES.SYS_TEMP),
};

/** Anything else (an unexpected exception) is most likely transient from the client's view. */
const INTERNAL_ERROR = err('internal error, try again later', RESPONSE_CODES.SYS_TEMP);

export function replyForError(error: unknown): string {
  return error instanceof StoreError ? STORE_ERROR_REPLIES[error.code] : INTERNAL_ERROR;
}
