/** How an ImapWireError is answered on the wire (RFC 3501 7.1). */
import { tagged, untaggedStatus } from './compiler.js';
import type { ImapWireError } from './errors.js';

/**
 * `<tag> BAD|NO [code] message`, or `* BAD message` when no tag could be read (RFC 3501 7.1.3:
 * an untagged BAD reports a protocol error whose command cannot be identified). When
 * `error.closeConnection` is set the caller sends this, then `* BYE`, then closes.
 */
export function errorResponse(error: ImapWireError): Buffer {
  if (error.tag === null) return untaggedStatus('BAD', error.responseCode, error.message);
  return tagged(error.tag, error.status, error.responseCode, error.message);
}
