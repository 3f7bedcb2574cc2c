/**
 * The shapes every protocol package's service shares, declared once: the deployment profile, the
 * options the app gives each listener (smtp, pop3, imap add their store and their own settings),
 * and what a started-or-startable listener offers the app.
 */
import type { AuthThrottle } from './auth-throttle.js';
import type { ConnectionLimiter } from './connection-limits.js';
import type { Logger } from './logging.js';
import type { ProtocolMetrics } from './metrics.js';
import type { Recordings } from './recording.js';
import type { MessageSpool } from './spool.js';
import type { TlsSource } from './tls.js';

/** DESIGN.md's two profiles: dev (catch everything, any password) and production. */
export const PROFILES = ['dev', 'production'] as const;
export type Profile = (typeof PROFILES)[number];

/** What the app gives every listener of a protocol package, besides the package's own settings. */
export interface ServiceOptions {
  /** pino logger from the app; each session logs through a child with cid, proto and remote. */
  logger: Logger;
  /** Our host name: greetings, EHLO replies, Received headers. */
  hostname: string;
  /** dev: any password for any address (a login creates the account); production: real passwords. */
  profile: Profile;
  /**
   * Certificate for STARTTLS/STLS and implicit TLS: PEM text, or a TlsContextProvider whose reloaded
   * certificate the next handshake uses (no restart); null offers no TLS.
   */
  tls: TlsSource | null;
  /** Simultaneous sessions; each package has its default. */
  maxClients?: number;
  /** Simultaneous sessions from one IP; defaults to LIMITS.maxConnectionsPerIp. */
  maxConnectionsPerIp?: number;
  /** Counts in total and per IP instead of a limiter of this listener's own (maxClients etc. unused). */
  connectionLimiter?: ConnectionLimiter;
  /** Failed-login throttle; pass one to every listener of the process so all ports count together. */
  authThrottle?: AuthThrottle;
  /** Connections, commands, error replies, messages and failed logins of this protocol. */
  metrics?: ProtocolMetrics;
  /**
   * Where IMAP APPEND literals and SMTP DATA above its threshold are written while they arrive
   * (docs/adr/0027); the app passes one in the data dir, shared by every listener. Absent: every
   * message is held in memory, bounded by the message memory budget.
   */
  spool?: MessageSpool;
  /**
   * Where every session's conversation is recorded (issue 16, docs/adr/0028); one book per
   * process, shared by every listener and the HTTP service. Undefined records nothing.
   */
  recordings?: Recordings | undefined;
}

/** A protocol server the app starts and stops. */
export interface ServiceListener {
  /** Binds and resolves with the port actually bound (0 picks a free one). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting and ends open sessions as the protocol allows. */
  close(): Promise<void>;
}
