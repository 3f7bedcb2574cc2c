/**
 * Every limit and timing of outbound delivery, each with its reason. Options of the relay worker
 * override the ones marked "default".
 */

/** Default: RFC 5321 4.5.4.1 asks for retries for at least 4-5 days; Postfix gives up after 5 days. */
export const DEFAULT_MAX_QUEUE_AGE_MS = 5 * 24 * 60 * 60 * 1000;

/**
 * Default retry delays after each failed attempt; the last repeats. Postfix starts at 300 s and
 * doubles up to 4000 s; RFC 5321 4.5.4.1 asks for at least 30 minutes between tries in general,
 * which the later steps honour while the first ones get past greylisting quickly.
 */
export const DEFAULT_RETRY_DELAYS_MS = [5, 10, 20, 40, 67].map((minutes) => minutes * 60 * 1000);

/** Default: tell the sender once that delivery is delayed after 4 hours (Postfix delay_warning_time). */
export const DEFAULT_DELAY_NOTICE_AFTER_MS = 4 * 60 * 60 * 1000;

/** Default: how often the worker looks for due entries when idle. Cheap: one indexed query. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/** Default: entries claimed per round; bounds memory (bodies are read per group) and lease scope. */
export const DEFAULT_CLAIM_BATCH = 50;

/** Default: SMTP connections open to one destination domain at once, so we never flood a small MX. */
export const DEFAULT_PER_DOMAIN_CONNECTIONS = 2;

/** Default: SMTP connections open at once in total (the machine is small). */
export const DEFAULT_TOTAL_CONNECTIONS = 10;

/** RFC 5321 4.5.3.1.8: a client may send up to 100 recipients per transaction; we never send more. */
export const MAX_RECIPIENTS_PER_TRANSACTION = 100;

/** RFC 5321 4.5.3.2.1/2: wait 5 minutes for the greeting; 30 s to connect is plenty for TCP. */
export const CONNECT_TIMEOUT_MS = 30 * 1000;
export const GREETING_TIMEOUT_MS = 5 * 60 * 1000;
/** RFC 5321 4.5.3.2: 5 minutes for most replies, 10 for the final DATA reply; we use the larger. */
export const SOCKET_TIMEOUT_MS = 10 * 60 * 1000;

/** MX hosts tried per destination (RFC 5321 5.1 lets a client limit the list; Postfix tries 5). */
export const MAX_MX_HOSTS = 5;

/** RFC 3464 2.2 / RFC 6522: a DSN returns the original headers only, and at most this many octets. */
export const MAX_RETURNED_HEADER_BYTES = 64 * 1024;

/**
 * How long stop() waits for deliveries in progress. A remote MX may stall for minutes; shutdown
 * must not. What is still running after this keeps its lease and is retried later (at-least-once).
 */
export const STOP_GRACE_MS = 10 * 1000;

/** RFC 3461 RET=FULL: the returned message is cut here (a bounce must not carry a huge body back). */
export const MAX_RETURNED_MESSAGE_BYTES = 1024 * 1024;
