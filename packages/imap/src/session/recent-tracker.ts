/**
 * RFC 3501 2.3.2 \Recent: a message is recent in exactly one session, the first to learn of it,
 * whichever listener (143 or 993), process or node that session is on. The store keeps, per
 * mailbox, the highest UID claimed so far and raises it in one transaction (`claimRecent`), so two
 * processes on one data directory never both claim a UID (docs/adr/0026). This tracker remembers
 * per mailbox a mark the store is known to have reached (it only grows), so a session that sees
 * nothing new, the common case, costs no store round trip.
 */
import { StoreError, type ImapStore } from '@minimail/store';

type RecentStore = Pick<ImapStore, 'claimRecent' | 'recentMark'>;

export class RecentTracker {
  /** Per mailbox: a UID the store's claimed mark is known to be at or above. */
  private readonly known = new Map<number, number>();

  constructor(private readonly store: RecentStore) {}

  /**
   * The tracker of every listener on this store in this process (143 and 993 alike), so they
   * share what they learnt of the marks.
   */
  static for(store: ImapStore): RecentTracker {
    let tracker = TRACKERS.get(store);
    if (tracker === undefined) {
      tracker = new RecentTracker(store);
      TRACKERS.set(store, tracker);
    }
    return tracker;
  }

  /** Claims the UIDs above the store's mark and returns them (they are recent for the caller). */
  async claim(mailboxId: number, uids: readonly number[]): Promise<number[]> {
    const highest = maxOf(uids);
    if (highest <= this.markOf(mailboxId)) return [];
    const previous = await this.quietly(() => this.store.claimRecent(mailboxId, highest));
    if (previous === null) return [];
    this.raise(mailboxId, Math.max(previous, highest));
    return uids.filter((uid) => uid > previous);
  }

  /** The UIDs nobody has claimed yet, without claiming them (RFC 3501 6.3.2 EXAMINE). */
  async unclaimed(mailboxId: number, uids: readonly number[]): Promise<number[]> {
    const highest = maxOf(uids);
    if (highest <= this.markOf(mailboxId)) return [];
    const mark = await this.read(mailboxId);
    return mark === null ? [] : uids.filter((uid) => uid > mark);
  }

  /** RFC 3501 6.3.10 STATUS RECENT: how many of the mailbox's messages nobody has claimed yet. */
  async countUnclaimed(mailboxId: number, uidNext: number, messages: number): Promise<number> {
    if (uidNext - 1 <= this.markOf(mailboxId)) return 0;
    const mark = await this.read(mailboxId);
    return mark === null ? 0 : Math.max(0, Math.min(messages, uidNext - 1 - mark));
  }

  private async read(mailboxId: number): Promise<number | null> {
    const mark = await this.quietly(() => this.store.recentMark(mailboxId));
    if (mark !== null) this.raise(mailboxId, mark);
    return mark;
  }

  private markOf(mailboxId: number): number {
    return this.known.get(mailboxId) ?? 0;
  }

  private raise(mailboxId: number, mark: number): void {
    if (mark > this.markOf(mailboxId)) this.known.set(mailboxId, mark);
  }

  /** A mailbox deleted meanwhile has no recent messages; its view learns of the deletion itself. */
  private async quietly(read: () => Promise<number>): Promise<number | null> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof StoreError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }
}

function maxOf(uids: readonly number[]): number {
  let highest = 0;
  for (const uid of uids) if (uid > highest) highest = uid;
  return highest;
}

/** One tracker per store object (weakly held: a closed store's marks go with it). */
const TRACKERS = new WeakMap<ImapStore, RecentTracker>();
