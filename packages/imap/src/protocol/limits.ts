/**
 * Every bound the IMAP wire reader enforces, in one place, each with the reason for its value.
 * The reader never buffers more than these allow, whatever a client sends (DESIGN.md: "nothing a
 * client sends can ... grow memory without bound").
 */

/**
 * Longest command line (one text segment between literals), CRLF excluded. RFC 7162 3 asks servers
 * to accept lines of at least 8192 octets; long UID sets from clients that do not compact them
 * (`UID FETCH 1,3,5,...`) exceed that, so 64 KiB leaves headroom while keeping a stuck client cheap.
 */
export const MAX_LINE_LENGTH = 64 * 1024;

/**
 * Largest literal in any command other than APPEND (a LOGIN password, a SEARCH string, a mailbox
 * name). Nothing legitimate needs more than a few KiB; 64 KiB is generous and keeps a hostile
 * client's pipelined commands small.
 */
export const MAX_LITERAL_SIZE = 64 * 1024;

/**
 * Largest APPEND message literal unless the server passes its own. 64 MiB is above what mainstream
 * providers accept (25-50 MiB) so real mail fits, yet bounded because the body is held in memory
 * until the store has written it.
 */
export const MAX_APPEND_SIZE = 64 * 1024 * 1024;

/**
 * Bytes of all text and literals of one non-APPEND command together: a command may carry several
 * literals, and this stops many small literals from adding up to a big buffer.
 */
export const MAX_COMMAND_SIZE = 1024 * 1024;

/** Decimal digits in a literal size `{n}`: 10 digits reach 9,999,999,999, beyond every limit above. */
export const MAX_LITERAL_SIZE_DIGITS = 10;

/**
 * Depth of nested parenthesised lists and of SEARCH NOT/OR/() nesting. Real clients use 2-4 levels;
 * 16 leaves room and keeps the recursive-descent parser far from the JS stack limit.
 */
export const MAX_NESTING = 16;

/**
 * Items of one command (list members, fetch items, search keys, sequence ranges, flags). A few
 * hundred covers every client we know; 1,000 bounds the CPU spent on one parsed command.
 */
export const MAX_ARGS = 1000;

/** RFC 2971 3.3: at most 30 field-value pairs in ID. */
export const MAX_ID_PAIRS = 30;
/** RFC 2971 3.3: field strings at most 30 octets. */
export const MAX_ID_FIELD_LENGTH = 30;
/** RFC 2971 3.3: value strings at most 1024 octets. */
export const MAX_ID_VALUE_LENGTH = 1024;

/** Bytes of a discarded over-long line kept to learn its tag and whether it ended with a literal. */
export const DISCARD_TAIL_LENGTH = 32;
