/**
 * Every bound the POP3 server enforces, each with its reason. Options may override the timing
 * ones; the protocol ones are RFC facts.
 */

/**
 * RFC 2449 4: "command lines are limited to 255 octets, including the terminating CRLF". A longer
 * line is answered with -ERR and the session is closed (see docs/adr/0007-pop3-server.md): a
 * client that breaks this is not speaking POP3, and guessing where its next command starts would
 * be worse than hanging up.
 */
export const MAX_COMMAND_LINE_OCTETS = 255;

/** The same bound without the CRLF, as the line reader returns lines. */
export const MAX_COMMAND_LINE_BYTES = MAX_COMMAND_LINE_OCTETS - 2;

/**
 * RFC 1939 3: "an inactivity autologout timer ... of at least 10 minutes". We use exactly the
 * minimum: an idle session holds the maildrop lock, so it should not be held longer than needed.
 */
export const IDLE_TIMEOUT_MS = 10 * 60_000;

/**
 * Unknown commands tolerated in one session; the last one is answered and the session closed.
 * Real clients send at most one or two (probing an extension); ten means the peer is not a POP3
 * client (an HTTP request, a port scanner). Known commands in the wrong state are only refused:
 * they are client confusion, not garbage, and each still costs the sender a round trip.
 */
export const MAX_UNKNOWN_COMMANDS = 10;

/**
 * Failed logins tolerated in one session before it is closed (RFC 1939 7 lets the server hang up
 * after failed logins). The AuthThrottle slows guessing across sessions; this keeps one
 * connection from being used for an unbounded series of guesses.
 */
export const MAX_AUTH_FAILURES_PER_SESSION = 5;

/** Simultaneous POP3 sessions per listener unless the app passes maxClients. */
export const DEFAULT_MAX_CLIENTS = 500;

/**
 * Bytes of a message body stuffed and written at a time by RETR/TOP. A chunk is the most a
 * response adds to memory beyond the stored body; between chunks we wait for socket 'drain'.
 */
export const RETR_CHUNK_BYTES = 64 * 1024;

/**
 * Largest message whose body is read ahead of the client's next RETR (read-ahead.ts). Most mail
 * is smaller, so downloads of ordinary mail skip the store read on the round trip, while a session
 * holds at most this much extra (500 sessions: 32 MiB) and never reads a large body it may not be
 * asked for.
 */
export const READ_AHEAD_MAX_OCTETS = 64 * 1024;
