/**
 * Every bound the MIME parser enforces, each with the reason it exists. A message is stored once
 * and its structure is computed once, so these bound the work and memory of that one parse and
 * of every FETCH that walks the structure afterwards.
 */

/**
 * Deepest nesting of multipart and message/rfc822 entities that gets its own structure. Deeper
 * entities become text/plain leaves. Real mail nests a handful of levels (a forwarded message in
 * a signed multipart in a mixed multipart is 4); the limit stops hostile mail from making the
 * parser recurse without bound or from producing a BODYSTRUCTURE that clients cannot parse.
 * Dovecot's default (message_max_nested_mime_parts) is 100; IMAP clients recurse too, so ours is lower.
 */
export const MAX_MIME_DEPTH = 32;

/**
 * Most MIME entities (the root, parts and embedded messages) in one message. Parts beyond it are
 * not split out: the last part that fits runs to the end of its multipart, and entities reached
 * after the budget is spent stay leaves. Bounds the size of the
 * stored structure and of a BODYSTRUCTURE response. Same default as Dovecot's
 * message_max_total_mime_parts (10,000).
 */
export const MAX_MIME_PARTS = 10_000;

/**
 * Longest boundary parameter that is honoured. RFC 2046 5.1.1 allows 1..70 characters; real mail
 * sometimes exceeds that a little, so we accept anything that still fits on one RFC 5322 line
 * (998 octets). A longer "boundary" cannot be a real delimiter line and makes the part a leaf.
 */
export const MAX_BOUNDARY_LENGTH = 998;

/**
 * Most addresses read from one address header for ENVELOPE. A header folded over thousands of
 * lines (seen in the wild as a parser stress test) must not make one FETCH ENVELOPE answer huge.
 */
export const MAX_ENVELOPE_ADDRESSES = 1_000;
