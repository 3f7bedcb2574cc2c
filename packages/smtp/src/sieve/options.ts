import type { Logger } from 'pino';
import type { SieveScriptStore } from '@minimail/store';
import type { SieveLimits } from '@minimail/sieve';

/** What local delivery needs to run each recipient's active Sieve script (RFC 5228). */
export interface SieveDeliveryOptions {
  scripts: SieveScriptStore;
  /** Right-hand side of the Message-IDs of vacation replies and reject notices. */
  hostname: string;
  logger: Logger;
  /** The clock (ms) for currentdate and the vacation period; default Date.now. */
  now?: () => number;
  /** The server's zone in minutes east of UTC (RFC 5260 default zone); default 0. */
  localZone?: number;
  limits?: Partial<SieveLimits>;
}
