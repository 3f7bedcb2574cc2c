/**
 * The one error type of the IMAP wire layer. It carries everything the session needs to answer:
 * the tag (null when none could be read: answer `* BAD`), the status and optional response code,
 * a human message safe to send to the client, and whether the connection must be closed after the
 * reply because the byte stream can no longer be trusted (RFC 7888 4).
 */

export type ImapWireErrorCode =
  /** A line exceeded MAX_LINE_LENGTH; the rest of it was discarded. */
  | 'LINE_TOO_LONG'
  /** A literal or command exceeded its size limit. */
  | 'LITERAL_TOO_BIG'
  /** An APPEND literal the process's message memory budget has no room for (NO [LIMIT]). */
  | 'OVER_BUDGET'
  /** `{...}` at the end of a line that is not a valid literal size. */
  | 'BAD_LITERAL'
  /** The tag is missing or contains characters RFC 3501 9 forbids. */
  | 'BAD_TAG'
  /** The command name is not one this server knows. */
  | 'UNKNOWN_COMMAND'
  /** Arguments do not match the command's grammar. */
  | 'SYNTAX'
  /** Too many items, or lists nested too deep. */
  | 'TOO_COMPLEX'
  /** SEARCH CHARSET other than US-ASCII / UTF-8 (RFC 3501 6.4.4: NO [BADCHARSET]). */
  | 'BAD_CHARSET'
  /**
   * A mailbox name that is a valid astring but not valid modified UTF-7 (RFC 3501 5.1.3): the
   * syntax is right, the name is not one that can exist, so NO, not BAD (as Dovecot answers).
   */
  | 'BAD_MAILBOX_NAME';

export type ImapStatus = 'OK' | 'NO' | 'BAD';

export interface ImapWireErrorOptions {
  tag?: string | null;
  status?: 'NO' | 'BAD';
  responseCode?: string | null;
  closeConnection?: boolean;
  /**
   * RFC 5182 2.1: a SEARCH with the SAVE result option that fails (NO or BAD) empties the saved
   * result; set when the parser had read RETURN (... SAVE ...) before the error.
   */
  resetsSavedResult?: boolean;
}

export class ImapWireError extends Error {
  override readonly name = 'ImapWireError';
  readonly code: ImapWireErrorCode;
  /** Tag of the failed command, or null when the answer must be untagged (`* BAD`). */
  readonly tag: string | null;
  readonly status: 'NO' | 'BAD';
  /** Text inside `[...]`, e.g. `TOOBIG` or `BADCHARSET (US-ASCII UTF-8)`. */
  readonly responseCode: string | null;
  /** RFC 7888 4: true when the connection must be closed after the reply. */
  readonly closeConnection: boolean;
  /** See ImapWireErrorOptions.resetsSavedResult. */
  readonly resetsSavedResult: boolean;

  constructor(code: ImapWireErrorCode, message: string, options: ImapWireErrorOptions = {}) {
    super(message);
    this.code = code;
    this.tag = options.tag ?? null;
    this.status = options.status ?? 'BAD';
    this.responseCode = options.responseCode ?? null;
    this.closeConnection = options.closeConnection ?? false;
    this.resetsSavedResult = options.resetsSavedResult ?? false;
  }

  /** The same error, now knowing which command it belongs to. */
  withTag(tag: string | null): ImapWireError {
    return this.with({ tag });
  }

  /** The same error, marked as emptying the saved search result (RFC 5182 2.1). */
  resettingSavedResult(): ImapWireError {
    return this.with({ resetsSavedResult: true });
  }

  private with(changes: ImapWireErrorOptions): ImapWireError {
    return new ImapWireError(this.code, this.message, {
      tag: this.tag,
      status: this.status,
      responseCode: this.responseCode,
      closeConnection: this.closeConnection,
      resetsSavedResult: this.resetsSavedResult,
      ...changes,
    });
  }
}
