import type { Logger } from '@minimail/protocol';
import type { MailStore } from '@minimail/store';

/** How often the hub looks for mailboxes created since it last looked (a first delivery makes one). */
export const MAILBOX_RESCAN_MS = 1_000;
/** Changes closer together than this are told as one event (a bulk delete is one refresh). */
export const EVENT_COALESCE_MS = 50;
/** Most event streams open at once; each holds a socket. */
export const MAX_EVENT_STREAMS = 256;

export type MailEvent = { kind: 'changed'; mailboxes: number[] };
type Subscriber = (event: MailEvent) => void;

/**
 * Tells subscribers (the web app's event stream, long polls) that caught mail changed, through the
 * store's change feed (`store.watch`, which also sees other processes' commits), so no client
 * polls. It watches every mailbox while anyone listens; a mailbox created later (a new
 * recipient's first delivery) is found within MAILBOX_RESCAN_MS and told as a change.
 */
export class MailEvents {
  private readonly subscribers = new Set<Subscriber>();
  private readonly unwatch = new Map<number, () => void>();
  private rescanTimer: NodeJS.Timeout | null = null;
  private pending = new Set<number>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: MailStore,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.subscribers.size;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    if (this.subscribers.size === 1) this.start();
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  close(): void {
    this.subscribers.clear();
    this.stop();
  }

  private start(): void {
    void this.rescan(false);
    this.rescanTimer = setInterval(() => void this.rescan(true), MAILBOX_RESCAN_MS);
    this.rescanTimer.unref();
  }

  private stop(): void {
    if (this.rescanTimer !== null) clearInterval(this.rescanTimer);
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.rescanTimer = null;
    this.flushTimer = null;
    for (const stop of this.unwatch.values()) stop();
    this.unwatch.clear();
  }

  private async rescan(announceNew: boolean): Promise<void> {
    try {
      for (const user of await this.store.listUsers()) {
        for (const mailbox of await this.store.listMailboxes(user.id)) {
          if (this.unwatch.has(mailbox.id) || this.subscribers.size === 0) continue;
          this.unwatch.set(
            mailbox.id,
            this.store.watch(mailbox.id, () => this.changed(mailbox.id)),
          );
          if (announceNew) this.changed(mailbox.id);
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'mail events: mailbox scan failed');
    }
  }

  private changed(mailboxId: number): void {
    this.pending.add(mailboxId);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      const event: MailEvent = { kind: 'changed', mailboxes: [...this.pending] };
      this.pending = new Set();
      for (const subscriber of this.subscribers) subscriber(event);
    }, EVENT_COALESCE_MS);
  }
}
