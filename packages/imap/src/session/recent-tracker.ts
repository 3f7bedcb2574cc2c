/**
 * RFC 3501 2.3.2 \Recent: a message is recent in exactly one session, the first to learn of it.
 * The mark (highest UID already claimed) is kept per mailbox for this process. A message nobody
 * here has claimed yet is recent for the next session that sees it; RFC 3501 2.3.2 says a message
 * SHOULD be considered recent when that cannot be decided, which is what happens after a restart
 * or when another process serves the same mailbox (see docs/adr/0008-imap-session-model.md).
 */
export class RecentTracker {
  private readonly marks = new Map<number, number>();

  /**
   * The tracker of every listener on this store in this process (143 and 993 alike), so a message
   * is \Recent in one session whichever listener it is on.
   */
  static for(store: object): RecentTracker {
    let tracker = TRACKERS.get(store);
    if (tracker === undefined) {
      tracker = new RecentTracker();
      TRACKERS.set(store, tracker);
    }
    return tracker;
  }

  /** Claims the UIDs above this process's mark and returns them (they are recent for the caller). */
  claim(mailboxId: number, uids: readonly number[]): number[] {
    const mark = this.marks.get(mailboxId) ?? 0;
    const claimed = uids.filter((uid) => uid > mark);
    const highest = claimed.length > 0 ? Math.max(...claimed.slice(-1), mark) : mark;
    if (highest > mark) this.marks.set(mailboxId, highest);
    return claimed;
  }

  /** The UIDs above this process's mark, without claiming them (RFC 3501 6.3.2 EXAMINE). */
  unclaimed(mailboxId: number, uids: readonly number[]): number[] {
    const mark = this.marks.get(mailboxId) ?? 0;
    return uids.filter((uid) => uid > mark);
  }

  /** RFC 3501 6.3.10 STATUS RECENT: how many of these UIDs nobody has claimed yet. */
  countUnclaimed(mailboxId: number, uidNext: number, messages: number): number {
    const mark = this.marks.get(mailboxId) ?? 0;
    if (mark === 0) return messages;
    return Math.max(0, Math.min(messages, uidNext - 1 - mark));
  }
}

/** One tracker per store object (weakly held: a closed store's marks go with it). */
const TRACKERS = new WeakMap<object, RecentTracker>();
