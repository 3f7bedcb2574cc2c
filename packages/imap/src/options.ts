import type { Logger } from '@minimail/protocol';
import type { MailStore } from '@minimail/store';
import type { ImapServerLimits } from './limits.js';

/** What the app gives the IMAP service; the same shape as the SMTP and POP3 services. */
export interface ImapServiceOptions {
  store: MailStore;
  logger: Logger;
  /** Announced in the greeting. */
  hostname: string;
  /** dev: any password for any address (login creates the account); production: real passwords. */
  profile: 'dev' | 'production';
  /** Certificate for STARTTLS (and implicit TLS); null disables TLS. */
  tls: { key: string | Buffer; cert: string | Buffer } | null;
  maxClients?: number;
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
