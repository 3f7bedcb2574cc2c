import type { ServiceListener, ServiceOptions } from '@minimail/protocol';
import type { ImapStore, Mailbox } from '@minimail/store';
import type { ImapServerLimits } from './limits.js';

/** What the app gives the IMAP service; the same shape as the SMTP and POP3 services. */
export interface ImapServiceOptions extends ServiceOptions {
  store: ImapStore;
  // maxClients defaults to DEFAULT_MAX_CLIENTS; metrics count commands labelled from
  // IMAP_COMMAND_NAMES, NO/BAD replies, APPENDed messages (in) and whole messages FETCHed (out).
  /**
   * Told after a MOVE committed (e.g. to teach a spam filter: into Junk is spam, out of it ham).
   * Called without waiting; a throw is logged, never seen by the client.
   */
  onMessagesMoved?: (event: MessagesMovedEvent) => void;
}

/** A committed MOVE: which messages (by their UIDs in the target) went from where to where. */
export interface MessagesMovedEvent {
  userId: number;
  from: Mailbox;
  to: Mailbox;
  targetUids: number[];
}

export interface CreateImapServerOptions extends ImapServiceOptions {
  /** True for the IMAPS listener (993/1993): TLS from the first byte (RFC 8314). */
  implicitTls: boolean;
  /**
   * RFC 7888: false offers LITERAL- alone (non-synchronizing literals up to 4096 octets, a bigger
   * one is BAD [TOOBIG]) instead of LITERAL+ beside LITERAL-. Default true.
   */
  literalPlus?: boolean;
  /** Shorter timers and bounds for tests; production uses DEFAULT_LIMITS. */
  limits?: Partial<ImapServerLimits>;
}

/** close() says `* BYE` to open sessions, waits for them briefly, then closes. */
export type ImapListener = ServiceListener;
