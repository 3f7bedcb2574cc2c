/**
 * What a command file declares (`{ name, states, handler }`, one file per command) and what its
 * handler may use. Handlers write untagged responses through `ctx.send` and return the tagged
 * completion; they throw CommandError (errors.ts) for NO/BAD.
 */
import type { Logger } from '@minimail/protocol';
import type { Mailbox, MailStore, User } from '@minimail/store';
import type { CommandName, ImapCommand } from '../protocol/commands.js';
import type { MailboxView } from '../session/mailbox-view.js';
import type { SessionState, StateKind } from '../session/state.js';
import type { ServerContext } from '../server-context.js';

export interface CommandCompletion {
  /** Response code inside `[...]`, e.g. `READ-WRITE` or `APPENDUID 7 12`. */
  code?: string | null;
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
  /** Defaults to `always`. */
  expungeNotices?: ExpungeNotices;
  handler(ctx: CommandContext, command: CommandOf<N>): Promise<CommandCompletion>;
}

export interface CommandContext {
  readonly tag: string;
  readonly server: ServerContext;
  readonly store: MailStore;
  readonly logger: Logger;
  readonly state: SessionState;
  /** The connection is encrypted. */
  readonly secure: boolean;
  /** RFC 7162 3.1: a CONDSTORE enabling command has been seen on this connection. */
  readonly condstoreEnabled: boolean;
  /**
   * Called by every CONDSTORE enabling command (RFC 7162 3.1). The first call with a mailbox
   * selected sends `* OK [HIGHESTMODSEQ n]`; later calls do nothing.
   */
  enableCondstore(): Promise<void>;
  readonly remoteAddress: string;
  /** Queues bytes for the client and waits until the socket can take more (backpressure). */
  send(data: Buffer): Promise<void>;
  /** Moves the session to another state (closing the previous mailbox view if any). */
  setState(state: SessionState): void;
  /** The CAPABILITY list for the current state. */
  capabilities(): string[];
  /** Sends `+ <prompt>` and returns the client's next line (SASL), or null if the client left. */
  readContinuation(prompt: string): Promise<string | null>;
  /** STARTTLS: called after the OK has been sent. */
  startTls(): Promise<void>;
  /** IDLE: announces changes until the client sends DONE; resolves with false if it left instead. */
  idle(): Promise<boolean>;
  /** Opens a view of a mailbox for SELECT/EXAMINE (watching its changes). */
  openView(mailbox: Mailbox, readOnly: boolean): Promise<MailboxView>;
  /** Authentication outcome bookkeeping (throttle, failure counter, BYE after too many). */
  authSucceeded(user: User): void;
  authFailed(account: string | null): Promise<void>;
}

/** The user of an authenticated or selected session; handlers only call it where the gate allows. */
export function userOf(ctx: CommandContext): User {
  const state = ctx.state;
  if (state.kind === 'authenticated' || state.kind === 'selected') return state.user;
  throw new Error('no user in this state (the gate should have refused the command)');
}

/** The selected mailbox view; handlers only call it where the gate allows. */
export function viewOf(ctx: CommandContext): MailboxView {
  const state = ctx.state;
  if (state.kind === 'selected') return state.view;
  throw new Error('no mailbox selected (the gate should have refused the command)');
}
