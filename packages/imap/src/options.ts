import type { AuthThrottle, ConnectionLimiter, Logger, ProtocolMetrics, TlsSource } from '@minimail/protocol';
import type { Mailbox, MailStore } from '@minimail/store';
import type { ImapServerLimits } from './limits.js';

/** What the app gives the IMAP service; the same shape as the SMTP and POP3 services. */
export interface ImapServiceOptions {
  store: MailStore;
  logger: Logger;
  /** Announced in the greeting. */
  hostname: string;
  /** dev: any password for any address (login creates the account); production: real passwords. */
  profile: 'dev' | 'production';
  /**
   * Certificate for STARTTLS and implicit TLS: PEM text, or a TlsContextProvider whose reloaded
   * certificate the next handshake uses (no restart); null disables both.
   */
  tls: TlsSource | null;
  /** Simultaneous sessions; defaults to DEFAULT_MAX_CLIENTS. */
  maxClients?: number;
  /** Simultaneous sessions from one IP; defaults to the protocol package's LIMITS.maxConnectionsPerIp. */
  maxConnectionsPerIp?: number;
  /** Counts in total and per IP instead of a limiter of this listener's own (maxClients etc. unused). */
  connectionLimiter?: ConnectionLimiter;
  /** Failed-login throttle; pass one to every listener of the process so all ports count together. */
  authThrottle?: AuthThrottle;
  /**
   * Connections, commands (labelled from IMAP_COMMAND_NAMES), NO/BAD replies, failed logins,
   * APPENDed messages (in) and whole messages FETCHed (out).
   */
  metrics?: ProtocolMetrics;
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
  /** Shorter timers and bounds for tests; production uses DEFAULT_LIMITS. */
  limits?: Partial<ImapServerLimits>;
}

export interface ImapListener {
  /** Binds and resolves with the port actually bound (0 picks a free one). */
  listen(port: number, host: string): Promise<number>;
  /** Says `* BYE` to open sessions, waits for them briefly, then closes. */
  close(): Promise<void>;
}
