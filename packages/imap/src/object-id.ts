/**
 * RFC 8474 OBJECTID: MAILBOXID, EMAILID and THREADID, derived from what the store already keeps,
 * so they need no column and are the same in every session and process (docs/adr/0025):
 * - MAILBOXID from the mailbox's row id and UIDVALIDITY. A rename keeps both (4.1: the id
 *   survives RENAME); a re-created name gets a new UIDVALIDITY, so a new id, even on the same row
 *   (a \Noselect placeholder revived); renaming INBOX moves its messages to a new mailbox row.
 * - EMAILID from the body's content hash and the internal date: 5.1 asks that everything
 *   immutable on a {uidvalidity, uid} pair be equal for an equal EMAILID (the bytes, so the size
 *   and structure, and the internal date), and that COPY and MOVE keep it (they keep both).
 * - THREADID is NIL (5.2: a server that does not compute threads for messages returns NIL).
 * Each is a prefix letter and 24 hex digits of a SHA-256, inside RFC 8474 7's
 * `objectid = 1*255(ALPHA / DIGIT / "_" / "-")`.
 */
import { createHash } from 'node:crypto';
import type { Mailbox, MessageSummary } from '@minimail/store';

const ID_HEX_DIGITS = 24;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, ID_HEX_DIGITS);
}

export function mailboxObjectId(mailbox: Pick<Mailbox, 'id' | 'uidValidity'>): string {
  return `F${digest(`mailbox:${mailbox.id}:${mailbox.uidValidity}`)}`;
}

export function emailObjectId(message: Pick<MessageSummary, 'bodyHash' | 'internalDate'>): string {
  return `M${digest(`email:${message.bodyHash}:${message.internalDate.getTime()}`)}`;
}

/** RFC 8474 7: objectid = 1*255(ALPHA / DIGIT / "_" / "-"). */
export function isObjectId(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,255}$/.test(text);
}
