/**
 * The one error a command handler throws to answer NO or BAD, and the table mapping store errors
 * to IMAP replies. Internal messages never reach the client: only the table's text does.
 */
import { StoreError, type StoreErrorCode } from '@minimail/store';
import { ImapWireError } from './protocol/errors.js';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly status: 'NO' | 'BAD',
    /** Text inside `[...]` (RFC 5530 response codes), or null. */
    readonly code: string | null,
    /** Safe to send to the client. */
    message: string,
  ) {
    super(message);
  }
}

export const no = (message: string, code: string | null = null): CommandError =>
  new CommandError('NO', code, message);
export const bad = (message: string, code: string | null = null): CommandError =>
  new CommandError('BAD', code, message);

/** Store error code -> IMAP reply (RFC 5530 response codes). */
const STORE_ERROR_REPLIES: Record<StoreErrorCode, { code: string; text: string }> = {
  /** RFC 5530 3: the named mailbox (or message) does not exist. */
  NOT_FOUND: { code: 'NONEXISTENT', text: 'No such mailbox' },
  /** RFC 5530 3: CREATE/RENAME onto an existing name. */
  ALREADY_EXISTS: { code: 'ALREADYEXISTS', text: 'Mailbox already exists' },
  /** RFC 5530 3: the operation is not possible on this object (e.g. DELETE INBOX, bad name). */
  INVALID: { code: 'CANNOT', text: 'Operation not permitted on this mailbox' },
  /** RFC 5530 3: another session holds a lock. */
  LOCKED: { code: 'INUSE', text: 'Mailbox is in use, try again later' },
  /** RFC 9208 4.4 / RFC 5530 3: storing this would pass the user's quota. */
  OVER_QUOTA: { code: 'OVERQUOTA', text: 'Quota exceeded' },
  /** RFC 5530 3: a temporary failure; the client should retry. */
  TEMPORARY: { code: 'UNAVAILABLE', text: 'Temporary failure, try again later' },
};

/**
 * Turns what a handler threw into the reply to send. Unknown errors become a generic NO
 * [SERVERBUG] and are returned as `internal` so the session logs them (never swallowed).
 */
export function replyForError(error: unknown): { error: CommandError; internal: unknown } {
  if (error instanceof CommandError) return { error, internal: null };
  if (error instanceof ImapWireError)
    return { error: new CommandError(error.status, error.responseCode, error.message), internal: null };
  if (error instanceof StoreError) {
    const reply = STORE_ERROR_REPLIES[error.code];
    return { error: no(reply.text, reply.code), internal: error.code === 'TEMPORARY' ? error : null };
  }
  return { error: no('Internal server error', 'SERVERBUG'), internal: error };
}
