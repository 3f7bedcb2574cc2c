/** What a run decides (RFC 5228 2.10, 4): the host carries these out, in order. */
import type { VacationAction } from './vacation.js';

export type SieveAction =
  /** Deliver to INBOX (explicit or implicit keep), with IMAP flags (RFC 5232). */
  | { type: 'keep'; flags: string[] }
  | { type: 'fileinto'; mailbox: string; flags: string[]; create: boolean }
  | { type: 'redirect'; address: string }
  /** RFC 5429: refuse the message; `extended` for ereject (refuse at SMTP if the host can). */
  | { type: 'reject'; reason: string; extended: boolean }
  | { type: 'discard' }
  | VacationAction;
