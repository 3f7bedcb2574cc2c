import type { CommandContext, CommandSpec } from './commands/types.js';
import type { CommandLine } from './parse.js';
import type { SessionState } from './state.js';

export type GateDecision =
  | { kind: 'run'; run: (ctx: CommandContext) => Promise<void> }
  /** Not a POP3 command we know. */
  | { kind: 'unknown' }
  /** RFC 1939 3: a known command in a state where it is not allowed. */
  | { kind: 'wrong-state' };

/**
 * The one place that decides whether a command may run in the current state. Handlers receive the
 * state already narrowed to their kind, so none of them checks it again.
 */
export function gate(
  table: ReadonlyMap<string, CommandSpec>,
  command: CommandLine,
  state: SessionState,
): GateDecision {
  const spec = table.get(command.keyword);
  if (!spec) return { kind: 'unknown' };
  const { rest } = command;
  switch (state.kind) {
    case 'authorization': {
      const handler = spec.handlers.authorization;
      return handler ? { kind: 'run', run: (ctx) => handler(ctx, state, rest) } : { kind: 'wrong-state' };
    }
    case 'transaction': {
      const handler = spec.handlers.transaction;
      return handler ? { kind: 'run', run: (ctx) => handler(ctx, state, rest) } : { kind: 'wrong-state' };
    }
    case 'update': {
      const handler = spec.handlers.update;
      return handler ? { kind: 'run', run: (ctx) => handler(ctx, state, rest) } : { kind: 'wrong-state' };
    }
  }
}
