/**
 * The selected mailbox as this session sees it (RFC 3501 2.3.1.2): the sequence number <-> UID
 * map, the flags last told to the client, the \Recent set, and the other sessions' changes that
 * have not been announced yet. Changes come from store.watch() and are announced only when
 * `drain()` is called, at the moments RFC 3501 7.4.1 allows.
 */
import type { Mailbox, MailboxChange, MailStore, MessageFlagList } from '@minimail/store';
import type { RecentTracker } from './recent-tracker.js';
import { untagged, atom, fetchResponse, type ResponseValue } from '../protocol/compiler.js';

/** How `drain` may announce what it applies (see RFC 3501 7.4.1 and RFC 7162 3.1). */
export interface DrainOptions {
  /** False during FETCH, STORE and SEARCH by sequence number: expunges wait (RFC 3501 7.4.1). */
  allowExpunge: boolean;
  /** The session is CONDSTORE-aware: flag changes carry UID and MODSEQ (RFC 7162 3.1, 3.2.4). */
  condstore: boolean;
}

/**
 * The flags of a message that arrived after SELECT and has not been fetched: the client has been
 * told none, so any flag change to it is news (compared by identity, never equal to a real list).
 */
const UNKNOWN_FLAGS: readonly string[] = Object.freeze([]);

export class MailboxView {
  /** Sequence number - 1 -> UID, ascending. Includes messages expunged elsewhere but not announced. */
  private uids: number[];
  /**
   * Flags as last announced to the client, so that changes are told once; index i belongs to
   * `uids[i]`. Parallel arrays rather than an object or map entry per message: SELECT of a
   * 100,000-message mailbox builds them from the store's lean list, whose equal flag lists share
   * one array.
   */
  private flags: Array<readonly string[]>;
  /**
   * The \Recent messages of this session; null while there are none, as for every session but the
   * first to select a mailbox: an empty Set is ~150 bytes, held by each of 10,000 IDLE clients.
   */
  private recent: Set<number> | null;
  private pending: MailboxChange[] = [];
  /** Expunges seen but not yet announced (RFC 3501 7.4.1: not during FETCH, STORE, SEARCH); null when none. */
  private deferredExpunges: Set<number> | null = null;
  private stopWatching: (() => void) | null = null;
  /**
   * RFC 7162 3.1.2.1 HIGHESTMODSEQ as far as this session has applied changes: the mailbox's value
   * when it was read for SELECT, raised by every change drained since.
   */
  private appliedModseq: number;
  /** Set when the mailbox was deleted or renamed away under us. */
  gone = false;

  private constructor(
    readonly mailboxId: number,
    public name: string,
    readonly readOnly: boolean,
    readonly uidValidity: number,
    highestModseq: number,
    messages: MessageFlagList,
    recent: readonly number[],
    private readonly recentTracker: RecentTracker,
  ) {
    this.appliedModseq = highestModseq;
    this.uids = messages.uids;
    this.flags = messages.flags;
    this.recent = recent.length > 0 ? new Set(recent) : null;
  }

  /**
   * Starts watching before listing, so no change falls between the list and the watch; changes
   * the list already contains are recognised and ignored when drained.
   */
  static async open(
    store: MailStore,
    mailbox: Mailbox,
    readOnly: boolean,
    recentTracker: RecentTracker,
    onChange: () => void,
  ): Promise<MailboxView> {
    // Dropped once the view exists: the watch callback keeps its scope for the session's life.
    let early: MailboxChange[] | null = [];
    let view: MailboxView | null = null;
    const stop = store.watch(mailbox.id, (changes) => {
      if (view) {
        view.pending.push(...changes);
        onChange();
      } else {
        early?.push(...changes);
      }
    });
    try {
      // UIDs and flags only (no object per message): the cost of SELECT in a big mailbox.
      const messages = await store.listMessageFlags(mailbox.id);
      const recent = readOnly ? [] : recentTracker.claim(mailbox.id, messages.uids);
      view = new MailboxView(
        mailbox.id,
        mailbox.name,
        readOnly,
        mailbox.uidValidity,
        mailbox.highestModseq,
        messages,
        recent,
        recentTracker,
      );
      view.stopWatching = stop;
      view.pending.push(...early);
      early = null;
      return view;
    } catch (error) {
      stop();
      throw error;
    }
  }

  close(): void {
    this.stopWatching?.();
    this.stopWatching = null;
  }

  get exists(): number {
    return this.uids.length;
  }

  /** RFC 7162 3.1.2.1: the HIGHESTMODSEQ to report for this view. */
  get highestModseq(): number {
    return this.appliedModseq;
  }

  get recentCount(): number {
    return this.recent?.size ?? 0;
  }

  isRecent(uid: number): boolean {
    return this.recent?.has(uid) ?? false;
  }

  /** All UIDs in sequence order (read-only view). */
  get allUids(): readonly number[] {
    return this.uids;
  }

  get highestUid(): number {
    return this.uids[this.uids.length - 1] ?? 0;
  }

  uidAt(sequence: number): number | undefined {
    return this.uids[sequence - 1];
  }

  /** Binary search: UIDs are ascending. */
  sequenceOf(uid: number): number | null {
    let low = 0;
    let high = this.uids.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const value = this.uids[mid] as number;
      if (value === uid) return mid + 1;
      if (value < uid) low = mid + 1;
      else high = mid - 1;
    }
    return null;
  }

  /** Keywords (flags without a backslash) set on any message, for the FLAGS response. */
  keywords(): string[] {
    const keywords = new Set<string>();
    // Messages with equal flags mostly share one array (see `flags`): look at each array once.
    const visited = new Set<readonly string[]>();
    for (const flags of this.flags) {
      if (visited.has(flags)) continue;
      visited.add(flags);
      for (const flag of flags) if (!flag.startsWith('\\')) keywords.add(flag);
    }
    return [...keywords].sort();
  }

  /** Sequence number of the first message without \Seen, or null (SELECT's UNSEEN code). */
  firstUnseen(): number | null {
    const index = this.flags.findIndex((flags) => !flags.includes('\\Seen'));
    return index === -1 ? null : index + 1;
  }

  flagsOf(uid: number): readonly string[] {
    const sequence = this.sequenceOf(uid);
    return sequence === null ? [] : (this.flags[sequence - 1] ?? []);
  }

  /** Records flags the session has just told the client (FETCH, STORE). */
  rememberFlags(uid: number, flags: readonly string[]): void {
    const sequence = this.sequenceOf(uid);
    if (sequence !== null) this.flags[sequence - 1] = flags;
  }

  /**
   * Removes these UIDs from the view and returns the sequence numbers to announce, one EXPUNGE
   * each, in order. RFC 3501 7.4.1: every EXPUNGE renumbers the messages after it, so going up in
   * UID order each number is the original position minus the messages already removed. One pass
   * over the view, however many are removed (a mass expunge in a big mailbox stays linear).
   */
  removeMany(uids: Iterable<number>): number[] {
    const unique = new Set<number>();
    for (const uid of uids) {
      const sequence = this.sequenceOf(uid);
      if (sequence !== null) unique.add(sequence);
    }
    const positions = [...unique].sort((a, b) => a - b);
    const sequences = positions.map((position, removedBefore) => position - removedBefore);
    if (positions.length === 0) return sequences;
    const kept: number[] = [];
    const keptFlags: Array<readonly string[]> = [];
    this.uids.forEach((uid, index) => {
      if (unique.has(index + 1)) {
        this.recent?.delete(uid);
      } else {
        kept.push(uid);
        keptFlags.push(this.flags[index] ?? UNKNOWN_FLAGS);
      }
    });
    this.uids = kept;
    this.flags = keptFlags;
    return sequences;
  }

  /**
   * Applies the pending changes and returns the untagged responses that announce them.
   * RFC 3501 7.4.1: with `allowExpunge` false (during FETCH, STORE, SEARCH by sequence number)
   * expunges are kept for later and sequence numbers do not move; EXISTS and FLAGS may still be sent.
   */
  drain({ allowExpunge, condstore }: DrainOptions): Buffer[] {
    const out: Buffer[] = [];
    const changes = this.pending;
    this.pending = [];
    const newRecent: number[] = [];
    let grew = false;
    for (const change of changes) {
      if (change.kind !== 'mailbox') this.appliedModseq = Math.max(this.appliedModseq, change.modseq);
      switch (change.kind) {
        case 'new':
          if (change.uid > this.highestUid) {
            this.uids.push(change.uid);
            this.flags.push(UNKNOWN_FLAGS);
            newRecent.push(change.uid);
            grew = true;
          }
          break;
        case 'flags': {
          const sequence = this.sequenceOf(change.uid);
          if (sequence === null || this.deferredExpunges?.has(change.uid)) break;
          if (sameFlags(this.flags[sequence - 1], change.flags)) break;
          this.flags[sequence - 1] = change.flags;
          const flags = this.withRecent(change.uid, change.flags).map((flag) => atom(flag));
          // RFC 7162 3.1: once CONDSTORE is enabled, every untagged FETCH carries MODSEQ; and the UID,
          // as 3.2.4 requires of QRESYNC servers and 3.1.4.2 asks of CONDSTORE-only ones.
          const items: Array<readonly [string, ResponseValue]> = condstore
            ? [
                ['UID', change.uid],
                ['FLAGS', flags],
                ['MODSEQ', [change.modseq]],
              ]
            : [['FLAGS', flags]];
          out.push(fetchResponse(sequence, items));
          break;
        }
        case 'expunge':
          if (this.sequenceOf(change.uid) !== null) (this.deferredExpunges ??= new Set()).add(change.uid);
          break;
        case 'mailbox':
          this.gone = true;
          break;
      }
    }
    if (newRecent.length > 0 && !this.readOnly) {
      for (const uid of this.recentTracker.claim(this.mailboxId, newRecent))
        (this.recent ??= new Set()).add(uid);
    }
    if (grew) {
      // RFC 3501 7.3.1: EXISTS after new mail; RECENT goes with it (7.3.2). Sent before this
      // drain's EXPUNGEs, so a message that arrived and was removed is first counted, then removed.
      out.push(untagged(`${this.uids.length} EXISTS`));
      out.push(untagged(`${this.recentCount} RECENT`));
    }
    const expunged = this.deferredExpunges;
    if (allowExpunge && expunged !== null) {
      this.deferredExpunges = null;
      for (const sequence of this.removeMany(expunged)) out.push(untagged(`${sequence} EXPUNGE`));
    }
    return out;
  }

  /** FETCH FLAGS includes \Recent for messages recent in this session (RFC 3501 2.3.2). */
  withRecent(uid: number, flags: readonly string[]): string[] {
    return this.isRecent(uid) ? [...flags, '\\Recent'] : [...flags];
  }
}

function sameFlags(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (!a || a === UNKNOWN_FLAGS || a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((flag) => set.has(flag));
}
