/**
 * A message body read while another session may expunge the message: the store drops a body with
 * its last message at once, so FETCH and SEARCH treat a body gone since they listed the messages
 * as a message already gone (RFC 3501 7.4.1: its EXPUNGE is announced later), not as a failure.
 */
import { StoreError, type ImapStore } from '@minimail/store';

/** The body's bytes, or null when it has been removed since the caller learned its hash. */
export async function readBodyIfPresent(store: ImapStore, bodyHash: string): Promise<Buffer | null> {
  try {
    return await store.readBody(bodyHash);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}
