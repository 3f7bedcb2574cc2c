import type { Logger } from 'pino';

/** Spam checks with Rspamd (off unless the app passes these; MINIMAIL_RSPAMD_URL). */
export interface RspamdOptions {
  /** The normal worker, e.g. http://127.0.0.1:11333 (its /checkv2). */
  url: string;
  /** The controller, e.g. http://127.0.0.1:11334 (its /learnspam, /learnham); absent: no learning. */
  controllerUrl?: string;
  /** The controller's password, if it asks for one. */
  password?: string;
  /** How long to wait for an answer; past it the message is accepted unchecked. Default 15 s. */
  timeoutMs?: number;
  logger: Logger;
}

export const DEFAULT_RSPAMD_TIMEOUT_MS = 15_000;
/** An answer larger than this is not a verdict (Rspamd's are a few KiB). */
export const MAX_RSPAMD_REPLY_BYTES = 1024 * 1024;
