/**
 * Every bound the readers keep, in one place, each with its reason. A mailbox file or a remote
 * account is input we did not write: nothing in it may grow memory without bound.
 */
export const MAILBOX_IO_LIMITS = {
  /**
   * Largest single message read into memory (bytes, as stored with CRLF). A bigger one is skipped
   * and reported, the import goes on. 64 MiB is above every common provider's limit (25-50 MiB).
   */
  maxMessageBytes: 64 * 1024 * 1024,
  /** Deepest folder hierarchy a Maildir++ name or a remote LIST may describe. */
  maxFolderDepth: 32,
  /** Longest folder name in bytes (UTF-8), past which a folder is skipped with a report. */
  maxFolderNameBytes: 1024,
  /** Dovecot's dovecot-keywords maps the 26 letters a-z; more lines than that are not its format. */
  maxKeywords: 26,
  /** Longest keyword kept; longer ones (not a valid IMAP atom anyway) are dropped. */
  maxKeywordLength: 256,
  /**
   * Batches in flight at once (one committing while the next is read and prepared). Each batch is
   * one store transaction (`deliverAll`): a million-message mbox takes thousands of commits, not a
   * million.
   */
  deliveryWindow: 2,
  /** Messages per batch (one transaction). */
  deliveryBatch: 500,
  /** Bytes per batch: a batch closes when it holds this much (a bigger message goes alone). */
  deliveryBatchBytes: 16 * 1024 * 1024,
  /** Messages fetched per IMAP round trip when importing from a remote account. */
  imapFetchBatch: 20,
  /** The resume state is saved after this many stored messages (and at each folder's end). */
  resumeSaveEvery: 50,
} as const;

export type MailboxIoLimits = { -readonly [K in keyof typeof MAILBOX_IO_LIMITS]: number };
