/** What every session of one listener shares. */
import type { Logger, AuthThrottle } from '@minimail/protocol';
import type { MailStore } from '@minimail/store';
import type { SecureContext } from 'node:tls';
import type { ImapServerLimits } from './limits.js';
import type { MessageStructures } from './message-structure.js';
import type { RecentTracker } from './session/recent-tracker.js';

export interface ServerContext {
  store: MailStore;
  logger: Logger;
  hostname: string;
  profile: 'dev' | 'production';
  /** For STARTTLS; null when the server has no certificate. */
  secureContext: SecureContext | null;
  limits: ImapServerLimits;
  authThrottle: AuthThrottle;
  recent: RecentTracker;
  structures: MessageStructures;
}
