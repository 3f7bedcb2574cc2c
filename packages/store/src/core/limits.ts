/**
 * Every limit and timing the store enforces, each with its reason. Protocol packages have their
 * own limits; these guard the data model itself.
 */

/** RFC 5321 4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
export const MAX_ADDRESS_LENGTH = 254;
/** RFC 5321 4.5.3.1.1: local-part at most 64 octets. */
export const MAX_LOCAL_PART_LENGTH = 64;
/** RFC 1035 2.3.4 / RFC 5321 4.5.3.1.2: a domain name is at most 255 octets (253 as text). */
export const MAX_DOMAIN_LENGTH = 253;

/** No RFC limit; bounded so a client cannot store megabyte names. Dovecot uses a similar bound. */
export const MAX_MAILBOX_NAME_LENGTH = 1000;
/** Hierarchy depth bound, so creating `a/b/c/...` cannot create thousands of parents at once. */
export const MAX_MAILBOX_DEPTH = 32;

/** Keywords are IMAP atoms (RFC 3501 9); bounded so one STORE cannot bloat a row. */
export const MAX_KEYWORD_LENGTH = 128;
/** Flags plus keywords on one message; bounded for the same reason. */
export const MAX_FLAGS_PER_MESSAGE = 64;

/** scrypt work grows with input size; nobody's real password is longer. */
export const MAX_PASSWORD_LENGTH = 1024;

/** How long a writer waits for another process's write lock before SQLITE_BUSY (-> TEMPORARY). */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Most operations one group commit may run. Bounds how long one process holds SQLite's write
 * lock (other processes' writers wait meanwhile); more queued writes go into the next commit.
 */
export const MAX_OPS_PER_COMMIT = 500;

/** Change feed: how often `PRAGMA data_version` is polled to notice other processes' commits. */
export const CHANGE_POLL_INTERVAL_MS = 250;
/** Change rows are only a notification channel; sessions older than this resync from the tables. */
export const CHANGE_RETENTION_MS = 60 * 60 * 1000;
/**
 * RFC 7162 QRESYNC: how long the UIDs of expunged messages (with their mod-sequence) are kept, so
 * a client that was offline this long still resyncs a mailbox by its changes alone (VANISHED
 * (EARLIER) names exactly what went) rather than by listing every UID. A little over a year: a
 * laptop used once a season, a phone left in a drawer. Older history is pruned and the mailbox
 * remembers up to which mod-sequence (docs/adr/0026); a client older than that still resyncs
 * correctly, told every UID it may know that no longer exists.
 */
export const EXPUNGED_HISTORY_RETENTION_MS = 400 * 24 * 60 * 60 * 1000;
/** How often old change rows (and expunge history past its retention) are pruned. */
export const CHANGE_PRUNE_INTERVAL_MS = 10 * 60 * 1000;

/** A maildrop lock whose heartbeat is older than this is stale (its holder hung or its host died). */
export const LOCK_STALE_AFTER_MS = 60_000;
/** How often a store refreshes the heartbeat of the locks it holds (well inside the stale bound). */
export const LOCK_HEARTBEAT_INTERVAL_MS = 15_000;

/** How long a delivery worker owns a claimed outbound entry before another may retry it. */
export const OUTBOUND_LEASE_MS = 10 * 60 * 1000;
/** Bound on the length of a stored delivery error (remote replies can be long). */
export const MAX_OUTBOUND_ERROR_LENGTH = 1000;

/**
 * Bytes of spooled messages (DeliveryRequest.spooled) a store reads into memory at once, to bind
 * and hash and describe them. A spooled delivery waits for room rather than failing, and one
 * message is always admitted even if larger, so memory for large messages is bounded by this
 * (times the working copies of a write) however many arrive at once (issue 11, docs/adr/0027).
 */
export const SPOOLED_LOAD_BYTES = 128 * 1024 * 1024;

/** Most terms one catcher search may have: each becomes a clause of the query, and it is user input. */
export const MAX_QUERY_TERMS = 32;

/** Largest page of the catcher's grouped list. */
export const MAX_PAGE_SIZE = 1000;
