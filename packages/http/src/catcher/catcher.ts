import {
  SEARCH_MAX_PAGE_SIZE,
  type CaughtGroup,
  type MailStore,
  type MessagePage,
  type SearchTerm,
} from '@minimail/store';
import { indexBody } from './mime-view.js';

/** Most messages one "all matching" operation (delete, mark read, tag) touches per request. */
export const MAX_BULK_MESSAGES = 100_000;

/**
 * The catcher's store operations behind /api/v1: caught mail as groups (one delivery of one body,
 * its copies in each recipient's mailbox), found through the store's search index.
 *
 * A group's ID is `<mailboxId>-<uid>` of its first copy: stable while that copy lives, resolved
 * with one store call, and the same id the /api/messages routes use for that copy.
 */
export class Catcher {
  constructor(private readonly store: MailStore) {}

  search(
    terms: readonly SearchTerm[],
    start: number,
    limit: number,
    mailboxIds?: readonly number[],
  ): Promise<MessagePage> {
    return this.store.searchMessages({ terms, start, limit, ...(mailboxIds ? { mailboxIds } : {}) });
  }

  /** The group an ID names; `latest` is the newest message. */
  async group(id: string, mailboxIds?: readonly number[]): Promise<CaughtGroup | null> {
    if (id === 'latest') {
      return (await this.search([], 0, 1, mailboxIds)).groups[0] ?? null;
    }
    const match = /^(\d{1,15})-(\d{1,15})$/.exec(id);
    if (match === null) return null;
    return this.store.caughtGroup(Number(match[1]), Number(match[2]), mailboxIds);
  }

  /** Every group matching the terms (bounded by MAX_BULK_MESSAGES), for bulk operations. */
  async all(terms: readonly SearchTerm[], mailboxIds?: readonly number[]): Promise<CaughtGroup[]> {
    const out: CaughtGroup[] = [];
    for (let start = 0; start < MAX_BULK_MESSAGES; start += SEARCH_MAX_PAGE_SIZE) {
      const page = await this.search(terms, start, SEARCH_MAX_PAGE_SIZE, mailboxIds);
      out.push(...page.groups);
      if (page.groups.length < SEARCH_MAX_PAGE_SIZE) break;
    }
    return out;
  }

  /** Groups by ID; unknown IDs are skipped. */
  async groups(ids: readonly string[]): Promise<CaughtGroup[]> {
    const found = await Promise.all(ids.map((id) => this.group(id)));
    return found.filter((group): group is CaughtGroup => group !== null);
  }

  readBody(group: CaughtGroup): Promise<Buffer> {
    return this.store.readBody(group.bodyHash);
  }

  /** The group's list facts, computed from the body when it was stored before the index existed. */
  async facts(group: CaughtGroup): Promise<NonNullable<CaughtGroup['facts']>> {
    return group.facts ?? indexBody(await this.store.readBody(group.bodyHash));
  }

  /** Expunges every copy of each group; returns how many groups went. */
  async delete(groups: readonly CaughtGroup[]): Promise<number> {
    await this.perMailbox(groups, (mailboxId, uids) => this.store.expunge(mailboxId, uids));
    return groups.length;
  }

  async setRead(groups: readonly CaughtGroup[], read: boolean): Promise<void> {
    await this.perMailbox(groups, (mailboxId, uids) =>
      this.store.setFlags(mailboxId, uids, read ? 'add' : 'remove', ['\\Seen']),
    );
  }

  /**
   * Replaces the keywords (tags) of every copy, keeping system flags: tags are IMAP keywords, so a
   * tag set here is a keyword in Thunderbird and the other way round.
   */
  async setTags(groups: readonly CaughtGroup[], keywords: readonly string[]): Promise<void> {
    for (const group of groups) {
      for (const copy of group.copies) {
        const system = copy.flags.filter((flag) => flag.startsWith('\\'));
        await this.store.setFlags(copy.mailboxId, [copy.uid], 'replace', [...system, ...keywords]);
      }
    }
  }

  /** Every keyword in use on caught mail, sorted (Mailpit's tag list). */
  keywords(mailboxIds?: readonly number[]): Promise<string[]> {
    return this.store.catcherKeywords(mailboxIds);
  }

  /** Recipients and their mailboxes with counts, for the web app's picker. */
  async mailboxes(): Promise<
    Array<{
      address: string;
      mailboxes: Array<{ id: number; name: string; messages: number; unread: number }>;
    }>
  > {
    const out = [];
    for (const user of await this.store.listUsers()) {
      const boxes = [];
      for (const mailbox of await this.store.listMailboxes(user.id)) {
        const status = await this.store.mailboxStatus(mailbox.id);
        boxes.push({ id: mailbox.id, name: mailbox.name, messages: status.messages, unread: status.unseen });
      }
      out.push({ address: user.address, mailboxes: boxes });
    }
    return out;
  }

  /** The mailbox ids of a recipient address (all of them), or of one mailbox id. */
  async scope(recipient: string | undefined, mailbox: number | undefined): Promise<number[] | undefined> {
    if (mailbox !== undefined) return [mailbox];
    if (recipient === undefined || recipient === '') return undefined;
    const user = await this.store.getUser(recipient.trim().toLowerCase());
    if (user === null) return [];
    const inbox = await this.store.getMailbox(user.id, 'INBOX');
    return inbox === null ? [] : [inbox.id];
  }

  private async perMailbox(
    groups: readonly CaughtGroup[],
    run: (mailboxId: number, uids: number[]) => Promise<unknown>,
  ): Promise<void> {
    const byMailbox = new Map<number, number[]>();
    for (const group of groups) {
      for (const copy of group.copies) {
        const uids = byMailbox.get(copy.mailboxId) ?? [];
        uids.push(copy.uid);
        byMailbox.set(copy.mailboxId, uids);
      }
    }
    for (const [mailboxId, uids] of byMailbox) await run(mailboxId, uids);
  }
}
