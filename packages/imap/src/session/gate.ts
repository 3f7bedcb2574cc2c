/**
 * The one place that decides whether a command may run in the current state (RFC 3501 3 and
 * 6.x "Valid states"). Handlers never check the state themselves.
 */
import type { CommandSpec } from '../commands/types.js';
import type { StateKind } from './state.js';

const STATE_NAMES: Record<StateKind, string> = {
  notAuthenticated: 'before login',
  authenticated: 'without a selected mailbox',
  selected: 'with a mailbox selected',
  logout: 'after LOGOUT',
};

/** Null when allowed, otherwise the text of the BAD reply. */
export function gateRefusal(spec: CommandSpec, state: StateKind): string | null {
  if (spec.states.includes(state)) return null;
  return `${spec.name} is not allowed ${STATE_NAMES[state]}`;
}
