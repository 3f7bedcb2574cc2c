import type { User } from '@minimail/store';
import type { Maildrop } from './maildrop.js';
import type { BodyReadAhead } from './read-ahead.js';

/**
 * RFC 1939 3: a session moves AUTHORIZATION -> TRANSACTION -> UPDATE. Each state carries only what
 * is valid in it, so a handler for TRANSACTION commands cannot run without a maildrop.
 */
export type SessionState = AuthorizationState | TransactionState | UpdateState;

export interface AuthorizationState {
  kind: 'authorization';
  /** The name given by USER, waiting for PASS (RFC 1939 7). */
  pendingUser: string | null;
}

export interface TransactionState {
  kind: 'transaction';
  user: User;
  maildrop: Maildrop;
  /** The body of the message RETR is expected to fetch next. */
  readAhead: BodyReadAhead;
}

/** Entered by QUIT from TRANSACTION; no command is accepted in it (the session ends). */
export interface UpdateState {
  kind: 'update';
  user: User;
  /** For the session-end log line. */
  retrieved: number;
  /** Messages actually removed (0 until the expunge committed). */
  deleted: number;
}

export type StateKind = SessionState['kind'];
export type StateOf<K extends StateKind> = Extract<SessionState, { kind: K }>;

export const initialState = (): AuthorizationState => ({ kind: 'authorization', pendingUser: null });
