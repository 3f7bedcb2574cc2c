/**
 * RFC 3501 3: the session's state, as a union that carries only what is valid in each state
 * (no user before login, no mailbox before SELECT). Handlers switch on `kind`; the gate
 * (gate.ts) has already checked that the command is allowed in the current state.
 */
import type { User } from '@minimail/store';
import type { MailboxView } from './mailbox-view.js';

export type SessionState =
  | { kind: 'notAuthenticated' }
  | { kind: 'authenticated'; user: User }
  | { kind: 'selected'; user: User; view: MailboxView }
  | { kind: 'logout' };

export type StateKind = SessionState['kind'];

/** RFC 3501 3: every state in which a client may issue commands. */
export const ANY_STATE: readonly StateKind[] = ['notAuthenticated', 'authenticated', 'selected'];
/** RFC 3501 6.2: commands for the not-authenticated state only. */
export const NOT_AUTHENTICATED: readonly StateKind[] = ['notAuthenticated'];
/** RFC 3501 6.3: valid once logged in, with or without a mailbox selected. */
export const AUTHENTICATED: readonly StateKind[] = ['authenticated', 'selected'];
/** RFC 3501 6.4: valid only with a mailbox selected. */
export const SELECTED: readonly StateKind[] = ['selected'];
