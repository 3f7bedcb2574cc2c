import type { LoginPolicy, Logger } from '@minimail/protocol';
import type { AccountStore, SieveScriptStore, User } from '@minimail/store';
import type { SessionState, StateKind } from '../state.js';
import type { Word } from '../wire.js';

export interface SessionServices {
  store: AccountStore & SieveScriptStore;
  profile: 'dev' | 'production';
  /** The one login policy (throttle delay before the password is looked at; logging). */
  login: LoginPolicy<User>;
}

/** What a command handler may do with its session. */
export interface CommandContext {
  readonly services: SessionServices;
  readonly state: SessionState;
  readonly secure: boolean;
  readonly starttlsAvailable: boolean;
  readonly logger: Logger;
  readonly remoteIp: string;
  setState(state: SessionState): void;
  /** Writes raw response text (lines ending in CRLF). */
  send(text: string): Promise<void>;
  /** Stops reading plaintext, sends `ok`, and upgrades the connection to TLS. */
  startTls(ok: string): Promise<void>;
  /** Reads the client's next line as words (the AUTHENTICATE continuation). */
  readContinuation(): Promise<Word[] | null>;
  /** Counts a failed login; true when the session must now end. */
  countAuthFailure(): boolean;
  /** Ends the session after this command. */
  end(): void;
  /** Re-sends the capability list (after STARTTLS, RFC 5804 2.2). */
  capabilities(): string[];
}

/** One command, declared as data: the states it is valid in, its arguments, its handler. */
export interface CommandSpec {
  name: string;
  states: readonly StateKind[];
  /** Positional argument counts (strings or atoms as stated). */
  minArgs: number;
  maxArgs: number;
  run(ctx: CommandContext, args: readonly Word[]): Promise<void>;
}

export function str(w: Word | undefined): string {
  return w?.value ?? '';
}

/** The user of an authenticated session (the gate guarantees the state). */
export function userOf(ctx: CommandContext) {
  if (ctx.state.kind !== 'authenticated') throw new Error('not authenticated');
  return ctx.state.user;
}
