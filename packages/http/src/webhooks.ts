import type { Logger } from '@minimail/protocol';
import type { Catcher } from './catcher/catcher.js';
import type { MailEvents } from './events.js';
import { summaryOf } from './api-v1/shapes.js';

/** Attempts per webhook call (the first and the retries). */
export const WEBHOOK_ATTEMPTS = 3;
/** Delay before the first retry; it doubles each time. */
export const WEBHOOK_RETRY_BASE_MS = 1_000;
/** How long one call may take. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Calls waiting to be made; past it new mail is logged and not sent (a dead endpoint cannot grow memory). */
export const WEBHOOK_QUEUE_LIMIT = 1_000;
/** How many of the newest messages are compared with what was already told. */
const SCAN = 200;

export interface WebhookOptions {
  url: string;
  /** Tests shorten the retry delay. */
  retryBaseMs?: number;
  fetcher?: typeof fetch;
}

/**
 * POSTs each newly caught message, as JSON (its /api/v1 summary, Mailpit's webhook body), to a URL:
 * on every change the newest messages are compared with those already told. A failed call (no
 * answer, or not 2xx) is retried WEBHOOK_ATTEMPTS times in all with doubling delays, then logged
 * and dropped.
 */
export class Webhooks {
  private readonly told = new Set<string>();
  private unsubscribe: (() => void) | null = null;
  private queue: Array<Record<string, unknown>> = [];
  private sending = false;
  private scanning: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly catcher: Catcher,
    private readonly events: MailEvents,
    private readonly options: WebhookOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    // What is caught already was not "new" to anyone: remember it without telling.
    for (const group of (await this.catcher.search([], 0, SCAN)).groups) this.told.add(key(group));
    this.unsubscribe = this.events.subscribe(() => {
      this.scanning = this.scanning.then(() => this.scan());
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  private async scan(): Promise<void> {
    try {
      const page = await this.catcher.search([], 0, SCAN);
      const fresh = page.groups.filter((group) => !this.told.has(key(group))).reverse();
      for (const group of fresh) {
        this.told.add(key(group));
        if (this.queue.length >= WEBHOOK_QUEUE_LIMIT) {
          this.logger.warn({ url: this.options.url }, 'webhook: queue full, message not sent');
          continue;
        }
        this.queue.push(summaryOf(group, await this.catcher.facts(group)));
      }
      // Forget what fell out of the newest SCAN, so the set stays bounded.
      if (this.told.size > SCAN * 4) {
        const keep = new Set(page.groups.map(key));
        for (const k of this.told) if (!keep.has(k)) this.told.delete(k);
      }
      void this.drain();
    } catch (error) {
      this.logger.warn({ err: error }, 'webhook: scanning for new mail failed');
    }
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.stopped) await this.post(this.queue.shift()!);
    } finally {
      this.sending = false;
    }
  }

  private async post(body: Record<string, unknown>): Promise<void> {
    const fetcher = this.options.fetcher ?? fetch;
    let delay = this.options.retryBaseMs ?? WEBHOOK_RETRY_BASE_MS;
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS && !this.stopped; attempt++) {
      try {
        const response = await fetcher(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'minimail-webhook' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (response.ok) return;
        this.logger.warn({ url: this.options.url, status: response.status, attempt }, 'webhook: refused');
      } catch (error) {
        this.logger.warn({ url: this.options.url, err: error, attempt }, 'webhook: call failed');
      }
      if (attempt < WEBHOOK_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
    this.logger.error({ url: this.options.url, id: body['ID'] }, 'webhook: giving up on this message');
  }
}

function key(group: { bodyHash: string; internalDate: Date }): string {
  return `${group.internalDate.getTime()}:${group.bodyHash}`;
}
