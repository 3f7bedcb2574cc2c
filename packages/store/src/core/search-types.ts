/**
 * The mail catcher's search: what the app tells the store about a body when it is stored
 * (IndexedBody, computed by an injected hook so the store needs no MIME knowledge), and the
 * structured query the HTTP API turns Mailpit-style terms into (docs/adr/0017).
 */

export interface IndexedAddress {
  name: string;
  address: string;
}

/** What a list row shows without reading the body. */
export interface BodyFacts {
  from: IndexedAddress | null;
  to: IndexedAddress[];
  cc: IndexedAddress[];
  bcc: IndexedAddress[];
  replyTo: IndexedAddress[];
  subject: string;
  messageId: string;
  /** The start of the text (or of the HTML's text), white space collapsed. */
  snippet: string;
  /** Parts with a filename or `attachment` disposition. */
  attachments: number;
}

/** Facts plus the text the full-text index holds. */
export interface IndexedBody extends BodyFacts {
  /** Every text/plain part and the text of every text/html part, decoded. */
  text: string;
  /**
   * The decoded header block as IMAP SEARCH TEXT compares it (@minimail/mime headerTextForSearch,
   * docs/adr/0036). Absent: the entry does not speak for TEXT (the message is read instead).
   */
  headers?: string;
}

/** One term of a query; `negate` is Mailpit's leading `-` or `!`. */
export type SearchTerm =
  | { kind: 'text'; field: 'any' | 'from' | 'to' | 'subject' | 'message-id'; value: string; negate: boolean }
  | { kind: 'read'; value: boolean }
  | { kind: 'attachment'; negate: boolean }
  | { kind: 'tag'; value: string; negate: boolean }
  | { kind: 'before' | 'after'; date: Date }
  | { kind: 'larger' | 'smaller'; bytes: number };

export interface MessageQuery {
  /** All must hold (AND), as in Mailpit. */
  terms: readonly SearchTerm[];
  /** Only these mailboxes; default every user's INBOX (where caught mail lands). */
  mailboxIds?: readonly number[];
  /** Paging over the groups, newest first. */
  start: number;
  limit: number;
  /** Count the matching groups (default true); false answers total and unread as -1, saving a pass. */
  totals?: boolean;
}

/** One copy of a caught message: a recipient's mailbox row. */
export interface CaughtCopy {
  mailboxId: number;
  uid: number;
  /** The address owning the mailbox. */
  owner: string;
  flags: string[];
}

/**
 * One caught message: the copies a delivery made of one body (same body, same internal date),
 * shown as one row listing their recipients.
 */
export interface CaughtGroup {
  bodyHash: string;
  internalDate: Date;
  size: number;
  copies: CaughtCopy[];
  /** Null for a body stored before the index existed (or whose indexer failed). */
  facts: BodyFacts | null;
}

export interface MessagePage {
  /** Groups matching the query (the true total, not the page size). */
  total: number;
  /** Of those, how many have an unseen copy. */
  unread: number;
  groups: CaughtGroup[];
}

/**
 * What the full-text index says about one term in one mailbox (IMAP SEARCH BODY, docs/adr/0036):
 * every message whose body text (as the `indexBody` hook extracted it) contains the term,
 * compared as IMAP does (lower-cased substrings), is in `matched` or in `unindexed`. `matched`
 * may hold more (the caller re-checks its candidates); `unindexed` lists the messages the index
 * cannot speak for (no entry, or text longer than the index keeps). Both ascending, no repeats.
 */
export interface IndexedTextMatch {
  matched: number[];
  unindexed: number[];
}
