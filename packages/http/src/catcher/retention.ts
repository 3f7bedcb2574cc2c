import type { Logger } from '@minimail/protocol';
import type { MailEvents } from '../events.js';
import type { Catcher } from './catcher.js';

/** How often the age limit is applied when no mail arrives (mail arriving applies both at once). */
export const RETENTION_SWEEP_MS = 60_000;

export interface RetentionOptions {
  /** Keep at most this many caught messages (groups), newest first; 0 keeps all. */
  maxMessages: number;
  /** Delete caught messages received longer ago than this; undefined keeps them. */
  maxAgeMs?: number | undefined;
}

/**
 * Keeps the catcher from growing without bound (Mailpit's --max / --max-age): after each change
 * (coalesced by MailEvents) and once a minute, deletes what is past the newest `maxMessages` and
 * what is older than `maxAgeMs`, every copy of each. One prune runs at a time.
 */
export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<number> | null = null;
  private again = false;

  constructor(
    private readonly catcher: Catcher,
    private readonly events: MailEvents,
    private readonly options: RetentionOptions,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.options.maxMessages > 0 || this.options.maxAgeMs !== undefined;
  }

  start(): void {
    if (!this.enabled) return;
    this.unsubscribe = this.events.subscribe(() => void this.prune());
    this.timer = setInterval(() => void this.prune(), RETENTION_SWEEP_MS);
    this.timer.unref();
    void this.prune();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer !== null) clearInterval(this.timer);
    this.unsubscribe = null;
    this.timer = null;
  }

  /** Applies both limits now; resolves with how many messages went. */
  prune(): Promise<number> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = this.pruneOnce()
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'retention: prune failed');
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          void this.prune();
        }
      });
    return this.running;
  }

  private async pruneOnce(): Promise<number> {
    let removed = 0;
    if (this.options.maxAgeMs !== undefined) {
      const cutoff = new Date(Date.now() - this.options.maxAgeMs);
      removed += await this.catcher.delete(await this.catcher.all([{ kind: 'before', date: cutoff }]));
    }
    if (this.options.maxMessages > 0) {
      for (;;) {
        const page = await this.catcher.search([], this.options.maxMessages, 1000);
        if (page.groups.length === 0) break;
        removed += await this.catcher.delete(page.groups);
      }
    }
    if (removed > 0) this.logger.info({ removed }, 'retention: deleted old caught mail');
    return removed;
  }
}
