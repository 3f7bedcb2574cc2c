/**
 * The one place that decides whether a command may run now (RFC 3501 3 and 6.x "Valid states"):
 * the state it needs (BAD otherwise) and, for a command that changes the selected mailbox, that
 * the mailbox was not opened read-only (NO [READ-ONLY], RFC 3501 6.3.2). Handlers never check.
 */
import type { CommandSpec } from './command-spec.js';
import type { SessionState, StateKind } from './state.js';

const STATE_NAMES: Record<StateKind, string> = {
  notAuthenticated: 'before login',
  authenticated: 'without a selected mailbox',
  selected: 'with a mailbox selected',
  logout: 'after LOGOUT',
};

export interface GateRefusal {
  status: 'BAD' | 'NO';
  code: string | null;
  text: string;
}

/** Null when allowed, otherwise the tagged reply. */
export function gateRefusal(spec: CommandSpec, state: SessionState): GateRefusal | null {
  if (!spec.states.includes(state.kind))
    return { status: 'BAD', code: null, text: `${spec.name} is not allowed ${STATE_NAMES[state.kind]}` };
  if (spec.writesSelected && state.kind === 'selected' && state.view.readOnly)
    return { status: 'NO', code: 'READ-ONLY', text: 'Mailbox is read-only' };
  return null;
}
