import type {
  LoginPolicy,
  Logger,
  MessageAction,
  Profile,
  ProtocolMetrics,
  Recordings,
} from '@minimail/protocol';
import type { AccountStore, ChangeFeedStore, MailboxAccess, MaildropLockStore, User } from '@minimail/store';
import type { SecurityContext } from '../capabilities.js';
import type { SessionState, StateKind, StateOf } from '../state.js';

/** The parts of the store POP3 uses: logins, the maildrop and its lock, and the change feed. */
export type Pop3Store = AccountStore & MailboxAccess & MaildropLockStore & ChangeFeedStore;

/** What every session of one listener shares. */
export interface SessionServices {
  store: Pop3Store;
  hostname: string;
  profile: Profile;
  /** The protocol package's one login policy (throttle first, then the password), shared with IMAP and SMTP. */
  login: LoginPolicy<User>;
  /** Commands, -ERR replies, retrieved messages and failed logins; undefined records nothing. */
  metrics: ProtocolMetrics | undefined;
  /** Where conversations are recorded (issue 16); undefined records none. */
  recordings?: Recordings | undefined;
}

/** The session as command handlers see it: replies, state changes, and the few I/O steps they need. */
export interface CommandContext {
  readonly services: SessionServices;
  readonly logger: Logger;
  /** Session id: the maildrop lock's owner and the key of this session's log lines. */
  readonly cid: string;
  readonly remoteIp: string;
  readonly security: SecurityContext;
  setState(state: SessionState): void;
  /** Links a stored message to this session's recorded conversation, at the reply to come. */
  link(mailboxId: number, uid: number, action: MessageAction): void;
  /** Send one single-line reply ("+OK ..." or "-ERR ..."). */
  reply(line: string): Promise<void>;
  /** Send a multi-line reply (RFC 1939 3): the status line, the lines (dot-stuffed), and ".". */
  replyLines(status: string, lines: readonly string[]): Promise<void>;
  /** Send a status line and a message body, dot-stuffed chunk by chunk with socket backpressure. */
  replyBody(status: string, body: Buffer): Promise<void>;
  /** Read one client line during a SASL exchange; null when the connection ended. */
  readClientLine(): Promise<string | null>;
  /** RFC 2595 4: switch this connection to TLS (the "+OK" is sent by this call). */
  startTls(): Promise<void>;
  /** Release the maildrop lock now (QUIT, before its reply); idempotent. */
  releaseMaildrop(): Promise<void>;
  /** Count a failed login; true when the session has had too many and must be closed. */
  countAuthFailure(): boolean;
  /** End the session once the current reply is sent. */
  close(): void;
}

export type Handler<K extends StateKind> = (
  ctx: CommandContext,
  state: StateOf<K>,
  rest: string,
) => Promise<void>;

/** One command, declared as data: the states it is valid in, each with its handler. */
export interface CommandSpec {
  /** The keyword, upper case. */
  name: string;
  handlers: { [K in StateKind]?: Handler<K> };
}
