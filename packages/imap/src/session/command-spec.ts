/**
 * The contract between the session and the command files: what a command declares
 * (`{ name, states, handler }`, one file per command) and what its handler may use. It lives
 * beside the session, which runs commands through it; the registry of commands is given to the
 * session (server.ts), so `session/` never imports `commands/`.
 */
import type { Logger, MessageAction } from '@minimail/protocol';
import type { Mailbox, ImapStore, User } from '@minimail/store';
import type { CommandName, ImapCommand } from '../protocol/commands.js';
import type { ServerContext } from '../server-context.js';
import type { Extension } from './extensions.js';
import type { MailboxView } from './mailbox-view.js';
import type { SessionNotify } from './notify-state.js';
import type { SessionState, StateKind } from './state.js';

export interface CommandCompletion {
  /**
   * Response code inside `[...]`, e.g. `READ-WRITE` or `APPENDUID 7 12`; a function is called
   * after the session told the client the mailbox's changes, right before the tagged reply.
   */
  code?: string | null | (() => string | null);
  text: string;
  /** Runs after the tagged reply was written (STARTTLS starts the handshake only then). */
  afterReply?: () => Promise<void>;
}

/**
 * RFC 3501 7.4.1: whether untagged EXPUNGE responses may be sent when the command completes.
 * `uidOnly` for FETCH, STORE and SEARCH: "An EXPUNGE response MUST NOT be sent ... while
 * responding to a FETCH, STORE, or SEARCH command", while their UID forms may (the note in 7.4.1).
 */
export type ExpungeNotices = 'always' | 'uidOnly';

export type CommandOf<N extends CommandName> = Extract<ImapCommand, { name: N }>;

export interface CommandSpec<N extends CommandName = CommandName> {
  name: N;
  states: readonly StateKind[];
  /**
   * The command changes the selected mailbox: the gate answers NO [READ-ONLY] when it was opened
   * with EXAMINE (RFC 3501 6.3.2), before the handler runs.
   */
  writesSelected?: boolean;
  /** Defaults to `always`. */
  expungeNotices?: ExpungeNotices;
  handler(ctx: CommandContext, command: CommandOf<N>): Promise<CommandCompletion>;
}

/** Every command the server understands, by name (commands/registry.ts builds it). */
export type CommandRegistry = { readonly [N in CommandName]: CommandSpec<N> };

export interface CommandContext {
  readonly tag: string;
  readonly server: ServerContext;
  readonly store: ImapStore;
  readonly logger: Logger;
  readonly state: SessionState;
  /** The connection is encrypted. */
  readonly secure: boolean;
  /** The extensions enabled on this connection (ENABLE and RFC 7162 3.1 enabling commands). */
  readonly enabled: { has(name: Extension): boolean };
  /**
   * Enables an extension (session/extensions.ts) and runs what enabling it does the first time
   * (CONDSTORE with a mailbox selected: `* OK [HIGHESTMODSEQ n]`). False if it cannot be enabled.
   */
  enable(name: string): Promise<boolean>;
  readonly remoteAddress: string;
  /**
   * Queues bytes for the client and waits until the socket can take more (backpressure). Never
   * for responses about the selected mailbox: those go through its view.
   */
  send(data: Buffer): Promise<void>;
  /** Moves the session to another state (closing the previous mailbox view if any). */
  setState(state: SessionState): void;
  /** The CAPABILITY list for the current state. */
  capabilities(): string[];
  /** Sends `+ <prompt>` and returns the client's next line (SASL), or null if the client left. */
  readContinuation(prompt: string): Promise<string | null>;
  /** STARTTLS: called after the OK has been sent. */
  startTls(): Promise<void>;
  /** RFC 4978: COMPRESS DEFLATE is active on this connection. */
  readonly compressed: boolean;
  /** COMPRESS: called after the OK has been sent; compresses both directions from then on. */
  startCompression(): Promise<void>;
  /** IDLE: announces changes until the client sends DONE; resolves with false if it left instead. */
  idle(): Promise<boolean>;
  /** Opens a view of a mailbox for SELECT/EXAMINE (watching its changes, writing to this client). */
  openView(mailbox: Mailbox, readOnly: boolean): Promise<MailboxView>;
  /** RFC 5465 NOTIFY: this session's notification settings (created on first use). */
  notify(): SessionNotify;
  /** Authentication outcome bookkeeping (throttle, failure counter, BYE after too many). */
  authSucceeded(user: User): void;
  authFailed(account: string | null): Promise<void>;
  /**
   * Links a stored message to this session's recorded conversation (issue 16), at the response
   * about to be written; `to` is the copy a COPY/MOVE made.
   */
  link(mailboxId: number, uid: number, action: MessageAction, to?: { mailboxId: number; uid: number }): void;
}
