/**
 * Every bound the IMAP session enforces (the wire reader's own bounds live in protocol/limits.ts),
 * each with the reason for its value. Tests may shorten the timers through `ImapServerLimits`.
 */
export interface ImapServerLimits {
  /**
   * RFC 3501 5.4: an inactivity autologout timer, if any, MUST be at least 30 minutes. Applies in
   * every state and also while IDLE (RFC 2177 3: clients re-issue IDLE every 29 minutes).
   */
  autologoutMs: number;
  /**
   * Commands a client may send before it authenticates. Real clients need CAPABILITY, ID,
   * STARTTLS, CAPABILITY again, LOGIN: well under 10. More is a scanner or a confused peer.
   */
  maxCommandsBeforeAuth: number;
  /**
   * Failed LOGIN/AUTHENTICATE attempts on one connection before `* BYE`. Clients retry a wrong
   * password once or twice; the AuthThrottle slows guessing across connections.
   */
  maxFailedAuthPerConnection: number;
  /**
   * BAD replies in a row before `* BYE`: a peer speaking another protocol (an HTTP request sent
   * to the IMAP port) would otherwise be answered line by line forever.
   */
  maxConsecutiveBad: number;
  /** Parsed message structures kept in memory (message-structure.ts); each is a few KiB. */
  structureCacheEntries: number;
  /**
   * A message body larger than this is not parsed for SEARCH BODY/TEXT (its decoded text would be
   * built in memory); it is searched as raw bytes instead.
   */
  maxSearchDecodeBytes: number;
  /**
   * RFC 5465 NOTIFY: mailboxes one connection may watch for message events. Each is a change-feed
   * listener and a STATUS read when it changes; a user with more mailboxes than this who asks for
   * `personal` gets [NOTIFICATIONOVERFLOW] (and NOTIFY NONE) rather than unbounded work.
   */
  maxNotifyMailboxes: number;
  /**
   * RFC 5465 5.8: notifications one connection may have waiting (LIST lines plus changed
   * mailboxes, each told once however often it changed) while the client does not read them;
   * past it [NOTIFICATIONOVERFLOW] and NOTIFY NONE.
   */
  maxNotifyQueue: number;
  /**
   * How often the mailbox list of a user with NOTIFY sessions is re-read for CREATE, DELETE,
   * RENAME and (UN)SUBSCRIBE done by other processes (this process's own are told at once).
   * The change feed's own poll is 1 s: the same delay for mailbox names.
   */
  notifyListPollMs: number;
}

export const DEFAULT_LIMITS: ImapServerLimits = {
  autologoutMs: 30 * 60_000,
  maxCommandsBeforeAuth: 30,
  maxFailedAuthPerConnection: 3,
  maxConsecutiveBad: 20,
  structureCacheEntries: 500,
  maxSearchDecodeBytes: 16 * 1024 * 1024,
  maxNotifyMailboxes: 1_000,
  maxNotifyQueue: 1_000,
  notifyListPollMs: 1_000,
};

/** Simultaneous IMAP connections per listener when the app does not say (protocol LIMITS per IP still apply). */
export const DEFAULT_MAX_CLIENTS = 1_000;

/**
 * Small responses (FETCH FLAGS lines, LIST lines) are gathered up to this many bytes and written
 * together: one syscall instead of thousands for `UID FETCH 1:* (FLAGS)` on a big mailbox, while
 * memory per session stays bounded. Everything is flushed before the session waits for the client.
 */
export const OUTPUT_BATCH_BYTES = 64 * 1024;

/**
 * RFC 5267 4.3.1: updating contexts (SEARCH/SORT RETURN (UPDATE)) one session keeps; each holds
 * its search program and result and is re-evaluated on every change. "MUST provide at least one
 * ... SHOULD provide more": a client keeps one per view it shows; past this, NO [NOUPDATE].
 */
export const MAX_UPDATE_CONTEXTS = 10;

/**
 * Bodies of the searched mailbox that one SEARCH BODY indexes when they have no full-text entry
 * (docs/adr/0036; production deliveries write none, docs/adr/0033), as Dovecot indexes at search
 * time: bounded so one search of a never-indexed 100,000-message mailbox does not stall its
 * session (and the writer) for the whole pass; the rest is scanned, and indexed by later searches.
 */
export const LAZY_INDEX_BATCH = 5_000;
