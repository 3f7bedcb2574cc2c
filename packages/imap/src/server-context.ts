/** What every session of one listener shares. */
import type {
  AuthThrottle,
  Logger,
  MessageSpool,
  Profile,
  ProtocolMetrics,
  SecureContextSource,
  Recordings,
} from '@minimail/protocol';
import type { ImapStore } from '@minimail/store';
import type { MessagesMovedEvent } from './options.js';
import type { ImapServerLimits } from './limits.js';
import type { MessageStructures } from './message-structure.js';
import type { CommandRegistry } from './session/command-spec.js';
import type { NotifyHub } from './session/notify-hub.js';
import type { RecentTracker } from './session/recent-tracker.js';

export interface ServerContext {
  store: ImapStore;
  logger: Logger;
  hostname: string;
  profile: Profile;
  /**
   * For STARTTLS; null when the server has no certificate. A function (a reloading provider) is
   * asked at each handshake, so a renewed certificate is used without a restart.
   */
  secureContext: SecureContextSource | null;
  limits: ImapServerLimits;
  /** RFC 7888: LITERAL+ is offered (else LITERAL- alone, non-synchronizing literals up to 4096 octets). */
  literalPlus: boolean;
  /** Shared by every listener of the process when the app passes one. */
  authThrottle: AuthThrottle;
  /** Undefined records nothing. */
  metrics: ProtocolMetrics | undefined;
  /** Where conversations are recorded (issue 16); undefined records none. */
  recordings: Recordings | undefined;
  recent: RecentTracker;
  /** Large APPEND literals go here instead of memory (docs/adr/0027); null keeps them in memory. */
  spool: MessageSpool | null;
  structures: MessageStructures;
  /** The commands sessions run (commands/registry.ts), given here so session/ does not import commands/. */
  commands: CommandRegistry;
  /** RFC 5465 NOTIFY: the users' mailbox lists, re-read for the sessions that watch them. */
  notifyHub: NotifyHub;
  onMessagesMoved?: ((event: MessagesMovedEvent) => void) | undefined;
}
