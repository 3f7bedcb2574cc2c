import { StoreError, type MailStore, type Mailbox, type MessageSummary } from '@minimail/store';
import { LIST_MAX_MESSAGES } from '../limits.js';
import { headerValue, messageContent, readHeaders, type MessageContent } from './message-view.js';

/**
 * The dev mail catcher's view of the store: every user's INBOX is where caught mail lands (the
 * dev profile gives each recipient address its own mailbox on first delivery). Read through the
 * MailStore interface only, so it works on any backend and sees other processes' deliveries.
 *
 * A message's id is `<mailboxId>-<uid>`: both are stable for the message's life (RFC 3501 UIDs are
 * never reused within a mailbox), and the pair finds it with one store call.
 */
export interface CaughtSummary {
  id: string;
  /** The address whose INBOX holds it (the envelope recipient). */
  owner: string;
  uid: number;
  from: string | null;
  to: string | null;
  subject: string | null;
  /** When it was received (internal date), ISO 8601. */
  date: string;
  size: number;
}

export interface CaughtMessage extends CaughtSummary, MessageContent {
  /** The Date header as written, or null. */
  headerDate: string | null;
  flags: string[];
}

interface Located {
  mailbox: Mailbox;
  summary: MessageSummary;
  owner: string;
}

export class CaughtMail {
  constructor(private readonly store: MailStore) {}

  /** Newest first, at most LIST_MAX_MESSAGES; only `to`'s INBOX when given. */
  async list(to?: string): Promise<CaughtSummary[]> {
    const inboxes = await this.inboxes(to);
    const found: Located[] = [];
    for (const { mailbox, owner } of inboxes) {
      for (const summary of await this.store.listMessages(mailbox.id))
        found.push({ mailbox, summary, owner });
    }
    found.sort(
      (a, b) =>
        b.summary.internalDate.getTime() - a.summary.internalDate.getTime() || b.summary.uid - a.summary.uid,
    );
    return Promise.all(found.slice(0, LIST_MAX_MESSAGES).map((located) => this.summarize(located)));
  }

  async get(id: string): Promise<CaughtMessage | null> {
    const located = await this.locate(id);
    if (located === null) return null;
    const raw = await this.store.readBody(located.summary.bodyHash);
    const content = messageContent(raw);
    return {
      ...summaryOf(located, content.headers),
      ...content,
      headerDate: headerValue(content.headers, 'date'),
      flags: located.summary.flags,
    };
  }

  async raw(id: string): Promise<Buffer | null> {
    const located = await this.locate(id);
    return located === null ? null : this.store.readBody(located.summary.bodyHash);
  }

  /** Removes one message; false if there was none. */
  async delete(id: string): Promise<boolean> {
    const located = await this.locate(id);
    if (located === null) return false;
    const removed = await this.store.expunge(located.mailbox.id, [located.summary.uid]);
    return removed.length > 0;
  }

  /** Removes every caught message; returns how many. */
  async deleteAll(): Promise<number> {
    let removed = 0;
    for (const { mailbox } of await this.inboxes()) {
      const uids = (await this.store.listMessages(mailbox.id)).map((summary) => summary.uid);
      if (uids.length > 0) removed += (await this.store.expunge(mailbox.id, uids)).length;
    }
    return removed;
  }

  /**
   * Resolves with `to`'s messages whose UID is above `afterUid` as soon as there are any, or with
   * [] when `signal` aborts (timeout or client gone). Creates the address's account first if it
   * has none yet (dev: the first delivery would have), so there is a mailbox to watch.
   */
  async waitFor(to: string, afterUid: number, signal: AbortSignal): Promise<CaughtSummary[]> {
    const user = await this.store.ensureUser(to);
    const owner = user.address;
    const mailbox = await this.store.getMailbox(user.id, 'INBOX');
    if (mailbox === null) throw new StoreError('NOT_FOUND', `${owner} has no INBOX`);
    const newer = async (): Promise<CaughtSummary[]> => {
      const summaries = (await this.store.listMessages(mailbox.id)).filter(
        (summary) => summary.uid > afterUid,
      );
      return Promise.all(summaries.map((summary) => this.summarize({ mailbox, summary, owner })));
    };
    let wake: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (wake = resolve));
    // MailStore.watch contract: watch BEFORE reading, so nothing committed in between is missed.
    const unwatch = this.store.watch(mailbox.id, (changes) => {
      if (changes.some((change) => change.kind === 'new' && change.uid > afterUid)) wake();
    });
    const onAbort = (): void => wake();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const already = await newer();
      if (already.length > 0 || signal.aborted) return already;
      await arrived;
      return signal.aborted ? [] : await newer();
    } finally {
      unwatch();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async inboxes(to?: string): Promise<Array<{ mailbox: Mailbox; owner: string }>> {
    const users = to === undefined ? await this.store.listUsers() : [await this.store.getUser(to)];
    const inboxes: Array<{ mailbox: Mailbox; owner: string }> = [];
    for (const user of users) {
      if (user === null) continue;
      const mailbox = await this.store.getMailbox(user.id, 'INBOX');
      if (mailbox !== null) inboxes.push({ mailbox, owner: user.address });
    }
    return inboxes;
  }

  private async locate(id: string): Promise<Located | null> {
    const match = /^(\d{1,15})-(\d{1,15})$/.exec(id);
    if (match === null) return null;
    const mailbox = await this.store.getMailboxById(Number(match[1]));
    if (mailbox === null || mailbox.name !== 'INBOX') return null;
    const summary = await this.store.getMessage(mailbox.id, Number(match[2]));
    if (summary === null) return null;
    const owner = (await this.store.listUsers()).find((user) => user.id === mailbox.userId)?.address;
    return owner === undefined ? null : { mailbox, summary, owner };
  }

  private async summarize(located: Located): Promise<CaughtSummary> {
    const raw = await this.store.readBody(located.summary.bodyHash);
    return summaryOf(located, readHeaders(raw));
  }
}

function summaryOf(located: Located, headers: ReturnType<typeof readHeaders>): CaughtSummary {
  return {
    id: `${located.mailbox.id}-${located.summary.uid}`,
    owner: located.owner,
    uid: located.summary.uid,
    from: headerValue(headers, 'from'),
    to: headerValue(headers, 'to'),
    subject: headerValue(headers, 'subject'),
    date: located.summary.internalDate.toISOString(),
    size: located.summary.size,
  };
}
