/**
 * Every bound the HTTP service enforces, each with its reason. The service is for operators
 * (health, metrics) and, in dev, for developers' tests; none of it is meant for the open internet.
 */

/** /healthz answers 503 if the store's trivial read takes longer: a stuck disk is not healthy. */
export const HEALTH_CHECK_TIMEOUT_MS = 2_000;

/** `wait` without `timeout=`: long enough for a slow CI machine, short enough to fail a test. */
export const WAIT_DEFAULT_SECONDS = 30;

/** Longest `wait` allowed; proxies and test runners rarely keep a request open longer. */
export const WAIT_MAX_SECONDS = 300;

/**
 * Messages one list answer holds (newest first). Each needs its header read from the store, so
 * this bounds the work of one request; a dev mailbox with more is cleared, not paged.
 */
export const LIST_MAX_MESSAGES = 500;

/** Node's defaults allow 5 minutes for a request; a dev tool or Prometheus needs seconds. */
export const REQUEST_TIMEOUT_MS = 30_000 + WAIT_MAX_SECONDS * 1_000;

/** How long close() lets open keep-alive connections finish before destroying them. */
export const CLOSE_GRACE_MS = 2_000;

/** Largest request body (JSON lists of IDs); the API takes no uploads. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
