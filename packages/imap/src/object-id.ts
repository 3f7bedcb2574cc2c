/**
 * RFC 8474 OBJECTID: MAILBOXID, EMAILID and THREADID, derived from what the store already keeps,
 * so they need no column and are the same in every session and process (docs/adr/0025):
 * - MAILBOXID from the mailbox's row id and UIDVALIDITY. A rename keeps both (4.1: the id
 *   survives RENAME); a re-created name gets a new UIDVALIDITY, so a new id, even on the same row
 *   (a \Noselect placeholder revived); renaming INBOX moves its messages to a new mailbox row.
 * - EMAILID from the body's content hash and the internal date: 5.1 asks that everything
 *   immutable on a {uidvalidity, uid} pair be equal for an equal EMAILID (the bytes, so the size
 *   and structure, and the internal date), and that COPY and MOVE keep it (they keep both).
 * - THREADID from the thread's root message as the message's own header names it (5.2: equal for
 *   the messages of one thread, and never changing for a message): the first Message-ID of
 *   References (RFC 5322 3.6.4: a reply's References starts with the parent's References, so its
 *   first id is the thread's first message, the root THREAD=REFERENCES builds on, RFC 5256 4
 *   step 1), else the first In-Reply-To id, else the message's own Message-ID. Read from the
 *   immutable header, so COPY/MOVE keep it, every session and process agrees, and no column is
 *   needed. A message with none of the three is a thread of its own (its EMAILID's digest).
 *   A reply that carries In-Reply-To but no References to a reply is filed under its parent, not
 *   the root: the one case a header-only derivation cannot join (docs/adr/0030).
 * Each is a prefix letter and 24 hex digits of a SHA-256, inside RFC 8474 7's
 * `objectid = 1*255(ALPHA / DIGIT / "_" / "-")`.
 */
import { createHash } from 'node:crypto';
import { headerValues, type MimePart } from '@minimail/mime';
import type { Mailbox, MessageSummary } from '@minimail/store';

/** RFC 5322 3.6.4 msg-id as it appears: `<...>`. */
const MESSAGE_ID = /<[^<>\s]+>/;

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

/** RFC 8474 5.2 THREADID (see above): `T` and the digest of the thread root's Message-ID. */
export function threadObjectId(
  raw: Buffer,
  structure: MimePart,
  message: Pick<MessageSummary, 'bodyHash' | 'internalDate'>,
): string {
  const firstId = (name: string): string | null => {
    for (const value of headerValues(raw, structure, name)) {
      const id = MESSAGE_ID.exec(value)?.[0];
      if (id !== undefined) return id;
    }
    return null;
  };
  const root = firstId('references') ?? firstId('in-reply-to') ?? firstId('message-id');
  if (root === null) return `T${digest(`thread-of:${emailObjectId(message)}`)}`;
  // Message-IDs compare as written; `<A@x>` and `<a@x>` are different ids (RFC 5322 3.6.4).
  return `T${digest(`thread:${root}`)}`;
}

/** RFC 8474 7: objectid = 1*255(ALPHA / DIGIT / "_" / "-"). */
export function isObjectId(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,255}$/.test(text);
}
