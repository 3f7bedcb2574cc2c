/**
 * RFC 5465 NOTIFY, one session's part (docs/adr/0029): which mailboxes it watches for which
 * events, what it has yet to tell, and the bounds past which it says NOTIFICATIONOVERFLOW.
 *
 * - The selected mailbox stays its MailboxView's (EXISTS/EXPUNGE/FETCH); this class only says
 *   whether and how the view's changes may be pushed between commands (`selectedPush`).
 * - Other mailboxes are watched through the store's change feed (store.watch), so changes by
 *   other sessions, SMTP delivery, POP3 and other processes arrive; each changed mailbox is
 *   remembered once (a mark, not a queue of changes) and told as one STATUS when flushed.
 * - Mailbox names and subscriptions come from the NotifyHub's snapshots, diffed here into LIST
 *   responses (RFC 5465 5.4, 5.5).
 */
import { MAILBOX_SEPARATOR, type ImapStore, type Mailbox, type MailboxChange } from '@minimail/store';
import { atom, untagged, untaggedStatus, type ResponseValue } from '../protocol/compiler.js';
import type { FetchItem } from '../protocol/fetch-items.js';
import { encodeMailboxName } from '../protocol/mutf7.js';
import type { NotifyEventGroup, NotifyFilter } from '../protocol/notify-args.js';
import type { EnabledSet } from './mailbox-view.js';
import type { MailboxListSnapshot, NotifyHub } from './notify-hub.js';

/** The events minimail supports (RFC 5465 5); NOTIFY answers NO [BADEVENT (...)] with this list. */
export const SUPPORTED_NOTIFY_EVENTS = [
  'MessageNew',
  'MessageExpunge',
  'FlagChange',
  'MailboxName',
  'SubscriptionChange',
] as const;

const MESSAGE_EVENTS = new Set(['MessageNew', 'MessageExpunge', 'FlagChange']);

export interface NotifyLimits {
  /** Mailboxes one connection may watch; past it NOTIFICATIONOVERFLOW. */
  maxNotifyMailboxes: number;
  /** Notifications one connection may have waiting (LIST lines + changed mailboxes). */
  maxNotifyQueue: number;
}

export interface NotifyDeps {
  store: Pick<ImapStore, 'watch' | 'mailboxStatus'>;
  hub: NotifyHub;
  limits: NotifyLimits;
  send(data: Buffer): Promise<void>;
  /** Wakes the session so that it delivers (between commands, or in IDLE). */
  poke(): void;
  enabled: EnabledSet;
  /** The selected mailbox's id, or null. */
  selectedId(): number | null;
}

/** How the selected mailbox's changes may be pushed between commands (RFC 5465 5.1 - 5.4). */
export interface SelectedPush {
  /** `selected`: EXPUNGE at any time; `selected-delayed`: only when RFC 3501 7.4.1 allows. */
  allowExpunge: boolean;
  /** FlagChange was asked for; else flag changes wait for the next command. */
  flags: boolean;
}

interface Dirty {
  messages: boolean;
  flags: boolean;
}

export class SessionNotify {
  private groups: readonly NotifyEventGroup[] | null = null;
  private userId = 0;
  private snapshot: MailboxListSnapshot | null = null;
  private readonly watches = new Map<number, () => void>();
  private dirty = new Map<number, Dirty>();
  private lines: Buffer[] = [];
  private stopHub: (() => void) | null = null;

  constructor(private readonly deps: NotifyDeps) {}

  /** NOTIFY SET is in force (not NONE, not overflowed). */
  get active(): boolean {
    return this.groups !== null;
  }

  /** Something is waiting to be told (also the NOTIFICATIONOVERFLOW itself). */
  get pending(): boolean {
    return this.lines.length > 0 || this.dirty.size > 0;
  }

  private get selectedGroup(): NotifyEventGroup | null {
    return (
      this.groups?.find((g) => g.filter.kind === 'selected' || g.filter.kind === 'selected-delayed') ?? null
    );
  }

  /** Null when the selected mailbox's changes wait for the next command (RFC 3501 rules alone). */
  get selectedPush(): SelectedPush | null {
    const group = this.selectedGroup;
    if (group === null || !group.events.includes('MessageNew')) return null;
    return { allowExpunge: group.filter.kind === 'selected', flags: group.events.includes('FlagChange') };
  }

  /** RFC 5465 5.2: MessageNew's fetch-att list for the selected mailbox, BODY[] as BODY.PEEK[]. */
  get newMessageItems(): readonly FetchItem[] | null {
    const group = this.selectedGroup;
    if (group === null || group.fetchItems === null || !group.events.includes('MessageNew')) return null;
    return group.fetchItems.map((item) =>
      item.kind === 'BODY[]' || item.kind === 'BINARY[]' ? { ...item, peek: true } : item,
    );
  }

  /**
   * NOTIFY SET: replaces whatever was in force. With `status`, one STATUS for each watched
   * mailbox other than the selected one (RFC 5465 3.1), sent before the tagged OK.
   */
  async set(userId: number, groups: readonly NotifyEventGroup[], status: boolean): Promise<void> {
    this.none();
    this.userId = userId;
    this.groups = groups;
    if (
      groups.some((group) => group.filter.kind !== 'selected' && group.filter.kind !== 'selected-delayed')
    ) {
      this.stopHub = this.deps.hub.subscribe(userId, (snapshot) => this.onList(snapshot));
      this.snapshot = await this.deps.hub.snapshot(userId);
      if (!this.updateWatches()) return;
    }
    if (!status || this.snapshot === null) return;
    for (const mailbox of this.snapshot.mailboxes) {
      if (!this.watches.has(mailbox.id) || mailbox.id === this.deps.selectedId()) continue;
      if (this.eventsFor(mailbox.name).has('MessageNew'))
        await this.deps.send(await this.statusLine(mailbox));
    }
  }

  /** NOTIFY NONE (and the end of a connection): stops every watch and forgets what was queued. */
  none(): void {
    this.groups = null;
    this.stopHub?.();
    this.stopHub = null;
    for (const stop of this.watches.values()) stop();
    this.watches.clear();
    this.dirty.clear();
    this.lines = [];
    this.snapshot = null;
  }

  close(): void {
    this.none();
  }

  /** Sends what is waiting: LIST responses, then one STATUS per changed mailbox. */
  async flush(): Promise<void> {
    if (this.lines.length > 0) {
      const lines = this.lines;
      this.lines = [];
      for (const line of lines) await this.deps.send(line);
    }
    if (this.dirty.size === 0) return;
    const dirty = this.dirty;
    this.dirty = new Map();
    const condstore = this.deps.enabled.has('CONDSTORE');
    for (const [mailboxId, what] of dirty) {
      if (mailboxId === this.deps.selectedId()) continue;
      const mailbox = this.snapshot?.mailboxes.find((m) => m.id === mailboxId);
      if (mailbox === undefined) continue;
      const events = this.eventsFor(mailbox.name);
      // RFC 5465 5.2/5.3: MESSAGES and UIDNEXT change; 5.4: a flag change shows as HIGHESTMODSEQ only.
      const tell =
        (what.messages && events.has('MessageNew')) || (what.flags && events.has('FlagChange') && condstore);
      if (!tell) continue;
      let line: Buffer;
      try {
        line = await this.statusLine(mailbox);
      } catch {
        continue; // Deleted meanwhile: the LIST (\NonExistent) says so.
      }
      await this.deps.send(line);
    }
  }

  // ---- what decides which mailbox gets which events ------------------------------------------

  /** The events the non-selected filters give a mailbox of this name (their union). */
  private eventsFor(name: string): Set<string> {
    const events = new Set<string>();
    for (const group of this.groups ?? [])
      if (this.matches(group.filter, name)) for (const event of group.events) events.add(event);
    return events;
  }

  private matches(filter: NotifyFilter, name: string): boolean {
    switch (filter.kind) {
      case 'selected':
      case 'selected-delayed':
        return false;
      case 'inboxes':
        return name === 'INBOX';
      case 'personal':
        return true;
      case 'subscribed':
        return this.snapshot?.subscriptions.has(name) ?? false;
      case 'subtree':
        return filter.mailboxes.some((root) => name === root || name.startsWith(root + MAILBOX_SEPARATOR));
      case 'mailboxes':
        return filter.mailboxes.includes(name);
    }
  }

  /**
   * Watches exactly the selectable mailboxes that some filter gives a message event. False (and
   * NOTIFICATIONOVERFLOW) when there are more than the limit.
   */
  private updateWatches(): boolean {
    const wanted = new Set<number>();
    for (const mailbox of this.snapshot?.mailboxes ?? []) {
      if (mailbox.noselect) continue;
      const events = this.eventsFor(mailbox.name);
      if ([...events].some((event) => MESSAGE_EVENTS.has(event))) wanted.add(mailbox.id);
    }
    if (wanted.size > this.deps.limits.maxNotifyMailboxes) {
      this.overflow();
      return false;
    }
    for (const [id, stop] of this.watches)
      if (!wanted.has(id)) {
        stop();
        this.watches.delete(id);
        this.dirty.delete(id);
      }
    for (const id of wanted)
      if (!this.watches.has(id))
        this.watches.set(
          id,
          this.deps.store.watch(id, (changes) => this.onChanges(id, changes)),
        );
    return true;
  }

  private onChanges(mailboxId: number, changes: readonly MailboxChange[]): void {
    if (!this.active) return;
    let mark = this.dirty.get(mailboxId);
    for (const change of changes) {
      if (change.kind === 'mailbox') {
        // Renamed or deleted: the list tells which (and the watch set follows).
        void this.deps.hub.refresh(this.userId);
        continue;
      }
      mark ??= { messages: false, flags: false };
      if (change.kind === 'flags') mark.flags = true;
      else mark.messages = true;
    }
    if (mark === undefined) return;
    this.dirty.set(mailboxId, mark);
    if (this.checkQueue()) this.deps.poke();
  }

  /** RFC 5465 5.4 MailboxName and 5.5 SubscriptionChange: the differences as LIST responses. */
  private onList(next: MailboxListSnapshot): void {
    if (!this.active) return;
    const previous = this.snapshot;
    if (previous === null) {
      this.snapshot = next;
      this.updateWatches();
      return;
    }
    const lines: Buffer[] = [];
    const before = new Map(previous.mailboxes.map((m) => [m.id, m]));
    const after = new Map(next.mailboxes.map((m) => [m.id, m]));
    const names = new Set(next.mailboxes.map((m) => m.name));
    // Name events are judged by the filters over the old list for what went, the new for the rest.
    const nameEvent = (snapshot: MailboxListSnapshot, name: string): boolean =>
      this.withSnapshot(snapshot, () => this.eventsFor(name).has('MailboxName'));
    for (const mailbox of next.mailboxes) {
      const old = before.get(mailbox.id);
      if (old === undefined) {
        if (nameEvent(next, mailbox.name)) lines.push(this.listLine(mailbox, next, []));
      } else if (old.name !== mailbox.name) {
        if (nameEvent(next, mailbox.name) || nameEvent(previous, old.name))
          lines.push(this.listLine(mailbox, next, [], old.name));
      } else if (old.noselect !== mailbox.noselect) {
        if (nameEvent(next, mailbox.name)) lines.push(this.listLine(mailbox, next, []));
      }
    }
    for (const old of previous.mailboxes)
      if (!after.has(old.id) && !names.has(old.name) && nameEvent(previous, old.name))
        lines.push(this.nonExistentLine(old.name, false));
    for (const name of next.subscriptions)
      if (!previous.subscriptions.has(name) && this.subscriptionEvent(next, name))
        lines.push(this.subscriptionLine(name, next, true));
    for (const name of previous.subscriptions)
      if (!next.subscriptions.has(name) && this.subscriptionEvent(previous, name))
        lines.push(this.subscriptionLine(name, next, false));
    this.snapshot = next;
    this.lines.push(...lines);
    if (!this.updateWatches()) return;
    if (lines.length > 0 && this.checkQueue()) this.deps.poke();
  }

  private subscriptionEvent(snapshot: MailboxListSnapshot, name: string): boolean {
    return this.withSnapshot(snapshot, () => this.eventsFor(name).has('SubscriptionChange'));
  }

  private withSnapshot<T>(snapshot: MailboxListSnapshot, run: () => T): T {
    const saved = this.snapshot;
    this.snapshot = snapshot;
    try {
      return run();
    } finally {
      this.snapshot = saved;
    }
  }

  /** False (after NOTIFICATIONOVERFLOW) when more is waiting than the limit allows. */
  private checkQueue(): boolean {
    if (this.lines.length + this.dirty.size <= this.deps.limits.maxNotifyQueue) return true;
    this.overflow();
    return false;
  }

  /**
   * RFC 5465 5.8: the server cannot keep up, says so, and from then on behaves as after NOTIFY
   * NONE; the client recovers by NOTIFY SET again (or by STATUS/SELECT). Every watch is released.
   */
  private overflow(): void {
    this.none();
    this.lines = [untaggedStatus('OK', 'NOTIFICATIONOVERFLOW', 'Too many notifications; NOTIFY is now NONE')];
    this.deps.poke();
  }

  // ---- responses ------------------------------------------------------------------------------

  private nameOut(name: string): string {
    return this.deps.enabled.has('UTF8=ACCEPT') ? name : encodeMailboxName(name);
  }

  /**
   * RFC 5465 5.2 - 5.4: `* STATUS name (MESSAGES n UIDNEXT n UIDVALIDITY n)`, with RFC 7162
   * HIGHESTMODSEQ once CONDSTORE is enabled.
   */
  private async statusLine(mailbox: Mailbox): Promise<Buffer> {
    const status = await this.deps.store.mailboxStatus(mailbox.id);
    const items: ResponseValue[] = [
      atom('MESSAGES'),
      status.messages,
      atom('UIDNEXT'),
      status.uidNext,
      atom('UIDVALIDITY'),
      status.uidValidity,
    ];
    if (this.deps.enabled.has('CONDSTORE')) items.push(atom('HIGHESTMODSEQ'), status.highestModseq);
    return untagged('STATUS', this.nameOut(mailbox.name), items);
  }

  /** RFC 5465 5.4: LIST for a new or renamed (OLDNAME, RFC 5465 7) mailbox. */
  private listLine(
    mailbox: Mailbox,
    snapshot: MailboxListSnapshot,
    extra: string[],
    oldName?: string,
  ): Buffer {
    const attributes = [...extra];
    if (mailbox.noselect) attributes.push('\\Noselect');
    const prefix = mailbox.name + MAILBOX_SEPARATOR;
    attributes.push(
      snapshot.mailboxes.some((m) => m.name.startsWith(prefix)) ? '\\HasChildren' : '\\HasNoChildren',
    );
    if (mailbox.specialUse !== null) attributes.push(mailbox.specialUse);
    const values: ResponseValue[] = [attributes.map(atom), MAILBOX_SEPARATOR, this.nameOut(mailbox.name)];
    if (oldName !== undefined) values.push(['OLDNAME', [this.nameOut(oldName)]]);
    return untagged('LIST', ...values);
  }

  /** RFC 5465 5.4 / RFC 5258 3.4: a deleted mailbox is listed \NonExistent. */
  private nonExistentLine(name: string, subscribed: boolean): Buffer {
    const attributes = subscribed ? ['\\Subscribed', '\\NonExistent'] : ['\\NonExistent'];
    return untagged('LIST', attributes.map(atom), MAILBOX_SEPARATOR, this.nameOut(name));
  }

  /** RFC 5465 5.5: LIST with \Subscribed after SUBSCRIBE, without it after UNSUBSCRIBE. */
  private subscriptionLine(name: string, snapshot: MailboxListSnapshot, subscribed: boolean): Buffer {
    const mailbox = snapshot.mailboxes.find((m) => m.name === name);
    if (mailbox === undefined) return this.nonExistentLine(name, subscribed);
    return this.listLine(mailbox, snapshot, subscribed ? ['\\Subscribed'] : []);
  }
}
