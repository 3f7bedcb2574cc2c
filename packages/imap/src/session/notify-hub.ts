/**
 * RFC 5465 NOTIFY: what a user's mailbox list and subscriptions look like, shared by every
 * session of this process that asked for MailboxName or SubscriptionChange events or for a
 * dynamic mailbox set (personal, subscribed, subtree). The store's change feed is per mailbox and
 * says nothing of CREATE or SUBSCRIBE, so the hub re-reads the list (one read per user, however
 * many sessions watch it): at once after this process's own CREATE/DELETE/RENAME/(UN)SUBSCRIBE,
 * when the feed reports a rename or delete, and every `pollMs` for what other processes did
 * (docs/adr/0029).
 */
import type { ImapStore, Mailbox } from '@minimail/store';

export interface MailboxListSnapshot {
  readonly mailboxes: readonly Mailbox[];
  readonly subscriptions: ReadonlySet<string>;
}

export type SnapshotListener = (snapshot: MailboxListSnapshot) => void;

interface UserEntry {
  readonly listeners: Set<SnapshotListener>;
  snapshot: MailboxListSnapshot | null;
  /** What the snapshot says, as text: a new read that equals it tells nobody anything. */
  key: string;
  /** Reads run one after another: the last one always sees the latest state. */
  chain: Promise<void>;
  reading: boolean;
  timer: NodeJS.Timeout | null;
}

export class NotifyHub {
  private readonly users = new Map<number, UserEntry>();

  constructor(
    private readonly store: Pick<ImapStore, 'listMailboxes' | 'listSubscriptions'>,
    private readonly pollMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Calls `listener` with every changed snapshot of the user's list until the returned stop. */
  subscribe(userId: number, listener: SnapshotListener): () => void {
    const entry = this.entry(userId);
    entry.listeners.add(listener);
    if (entry.timer === null && this.pollMs > 0) {
      entry.timer = setInterval(() => {
        if (!entry.reading) void this.refresh(userId);
      }, this.pollMs);
      entry.timer.unref();
    }
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size > 0) return;
      if (entry.timer !== null) clearInterval(entry.timer);
      entry.timer = null;
      // Only this entry: a later subscriber of the same user may have made a new one.
      if (this.users.get(userId) === entry) this.users.delete(userId);
    };
  }

  /** The user's list as last read (read now if never). */
  async snapshot(userId: number): Promise<MailboxListSnapshot> {
    const entry = this.users.get(userId);
    if (entry?.snapshot) return entry.snapshot;
    return this.read(userId);
  }

  /**
   * Re-reads the user's list and tells every listener if it changed. Resolves once the listeners
   * were called, so a session that changed the list hears of it before its tagged OK.
   */
  refresh(userId: number): Promise<void> {
    const entry = this.users.get(userId);
    if (entry === undefined) return Promise.resolve();
    entry.chain = entry.chain.then(
      () => this.read(userId).then(() => undefined),
      () => undefined,
    );
    return entry.chain.catch((error: unknown) => this.onError(error));
  }

  close(): void {
    for (const entry of this.users.values()) if (entry.timer !== null) clearInterval(entry.timer);
    this.users.clear();
  }

  private entry(userId: number): UserEntry {
    let entry = this.users.get(userId);
    if (entry === undefined) {
      entry = {
        listeners: new Set(),
        snapshot: null,
        key: '',
        chain: Promise.resolve(),
        reading: false,
        timer: null,
      };
      this.users.set(userId, entry);
    }
    return entry;
  }

  private async read(userId: number): Promise<MailboxListSnapshot> {
    const entry = this.users.get(userId);
    if (entry) entry.reading = true;
    try {
      const [mailboxes, subscribed] = await Promise.all([
        this.store.listMailboxes(userId),
        this.store.listSubscriptions(userId),
      ]);
      const snapshot: MailboxListSnapshot = { mailboxes, subscriptions: new Set(subscribed) };
      const current = this.users.get(userId);
      if (current === undefined) return snapshot;
      const key = snapshotKey(snapshot);
      const changed = current.snapshot !== null && key !== current.key;
      current.snapshot = snapshot;
      current.key = key;
      if (changed)
        for (const listener of [...current.listeners]) {
          try {
            listener(snapshot);
          } catch (error) {
            this.onError(error);
          }
        }
      return snapshot;
    } finally {
      if (entry) entry.reading = false;
    }
  }
}

function snapshotKey(snapshot: MailboxListSnapshot): string {
  const mailboxes = snapshot.mailboxes
    .map((m) => `${m.id}:${m.noselect ? 'n' : 's'}:${m.specialUse ?? ''}:${m.name}`)
    .sort()
    .join('\n');
  return `${mailboxes}\n--\n${[...snapshot.subscriptions].sort().join('\n')}`;
}
