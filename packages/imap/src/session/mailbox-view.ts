/**
 * The selected mailbox as this session sees it (RFC 3501 2.3.1.2), and the one writer of every
 * untagged response about it: EXISTS, RECENT, EXPUNGE, FETCH, FLAGS, PERMANENTFLAGS and
 * HIGHESTMODSEQ. Command handlers hand the view what they want said; the view orders it so that
 * the client never hears of a message before its EXISTS, never sees a message's MODSEQ go down,
 * and never meets a keyword that FLAGS/PERMANENTFLAGS did not list first (docs/adr/0008).
 *
 * Other sessions' changes come from store.watch() and are announced only when `announce()` is
 * called, at the moments RFC 3501 7.4.1 allows.
 */
import {
  SYSTEM_FLAGS,
  type Mailbox,
  type MailboxChange,
  type ImapStore,
  type MessageFlagList,
} from '@minimail/store';
import type { Extension } from './extensions.js';
import type { RecentTracker } from './recent-tracker.js';
import { isRev2 } from './rev2.js';
import { formatSequenceSet, sequenceSetContains, type SequenceSet } from '../protocol/sequence-set.js';
import type { ContextDelta, UpdatingContext } from './search-contexts.js';
import { MAX_UPDATE_CONTEXTS } from '../limits.js';
import {
  atom,
  fetchResponse,
  responseCode,
  untagged,
  untaggedStatus,
  type ResponseValue,
} from '../protocol/compiler.js';

/** How `announce` may tell what it applies (see RFC 3501 7.4.1 and RFC 7162 3.1). */
export interface AnnounceOptions {
  /** False during FETCH, STORE and SEARCH by sequence number: expunges wait (RFC 3501 7.4.1). */
  allowExpunge: boolean;
  /** The session is CONDSTORE-aware: flag changes carry UID and MODSEQ (RFC 7162 3.1, 3.2.4). */
  condstore: boolean;
  /**
   * RFC 5465: a NOTIFY push between commands without FlagChange: flag changes stay pending until
   * the next command's announcement.
   */
  deferFlags?: boolean;
}

/** The session's enabled extensions, as the view reads them (RFC 7162 3.2.10: VANISHED once QRESYNC is on). */
export interface EnabledSet {
  has(name: Extension): boolean;
}

const NOTHING_ENABLED: EnabledSet = { has: () => false };

/** Where the view's responses go: the session's output (with its transcript and backpressure). */
export type ResponseSink = (data: Buffer) => Promise<void>;

/** One FETCH response item (`['UID', 4]`, `['FLAGS', [...]]`). */
export type FetchEntry = readonly [string, ResponseValue];

/**
 * What a FETCH response tells the client about a message's flags: the flags (without \Recent)
 * and the mod-sequence they are at, so that later changes are told exactly once.
 */
export interface ToldFlags {
  flags: readonly string[];
  modseq: number;
}

/**
 * The flags of a message that arrived after SELECT and has not been fetched: the client has been
 * told none, so any flag change to it is news (compared by identity, never equal to a real list).
 */
const UNKNOWN_FLAGS: readonly string[] = Object.freeze([]);

export class MailboxView {
  /**
   * RFC 5182 2.1: the UIDs of the last SEARCH ... RETURN (SAVE), `$`. A new view starts empty
   * ("upon successful completion of a selection ... the empty sequence"); UIDs keep it right
   * across expunges, which remove their messages from it (resolved against the view when used).
   */
  savedResult: readonly number[] = [];
  /** Sequence number - 1 -> UID, ascending. Includes messages expunged elsewhere but not announced. */
  private uids: number[];
  /**
   * Flags as last told to the client, so that changes are told once; index i belongs to
   * `uids[i]`. Parallel arrays rather than an object or map entry per message: SELECT of a
   * 100,000-message mailbox builds them from the store's lean list, whose equal flag lists share
   * one array.
   */
  private flags: Array<readonly string[]>;
  /**
   * RFC 7162 3.1: the highest mod-sequence of each message the client was told, or that the flags
   * in `flags` are at (0: nothing told). A change at or below it is old news and is never told.
   */
  private modseqs: number[];
  /**
   * RFC 3501 7.2.6: the keywords FLAGS (and PERMANENTFLAGS) listed to the client so far; null
   * while none (most mailboxes of 10,000 IDLE clients have no keywords: no Set each).
   */
  private keywordsTold: Set<string> | null = null;
  /**
   * The \Recent messages of this session as runs of the view's UIDs, `[first, last, first, last,
   * ...]` inclusive and ascending: every UID of the view from `first` to `last` is recent. A
   * session claims the messages above the store's mark (RecentTracker), so they are one run, or a
   * few when other sessions claimed some of the new mail in between: a lookup is a search of a
   * handful of numbers, not of a Set of 100,000 UIDs (the first SELECT of a big mailbox). Null
   * while there are none, as for every session but the first to select a mailbox.
   */
  private recent: number[] | null = null;
  private pending: MailboxChange[] = [];
  /** Expunges seen but not yet announced (RFC 3501 7.4.1: not during FETCH, STORE, SEARCH); null when none. */
  private deferredExpunges: Set<number> | null = null;
  private stopWatching: (() => void) | null = null;
  /**
   * RFC 7162 3.1.2.1 HIGHESTMODSEQ as far as this session has applied changes: the mailbox's value
   * when it was read for SELECT, raised by every change announced since.
   */
  private appliedModseq: number;
  /** Set when the mailbox was deleted or renamed away under us. */
  gone = false;
  /** RFC 5267 4.3 updating contexts by tag; null while there are none (the common case). */
  private contexts: Map<string, UpdatingContext> | null = null;

  private constructor(
    readonly mailboxId: number,
    public name: string,
    readonly readOnly: boolean,
    readonly uidValidity: number,
    private readonly uidNext: number,
    highestModseq: number,
    messages: MessageFlagList,
    recent: readonly number[],
    private readonly recentTracker: RecentTracker,
    private readonly send: ResponseSink,
    private readonly enabled: EnabledSet,
  ) {
    this.appliedModseq = highestModseq;
    this.uids = messages.uids;
    this.flags = messages.flags;
    this.modseqs = messages.modseqs;
    this.addRecent(recent);
  }

  /**
   * Starts watching before listing, so no change falls between the list and the watch; changes
   * the list already contains are recognised (by UID and mod-sequence) and ignored when announced.
   */
  static async open(
    store: ImapStore,
    mailbox: Mailbox,
    readOnly: boolean,
    recentTracker: RecentTracker,
    send: ResponseSink,
    onChange: () => void,
    enabled: EnabledSet = NOTHING_ENABLED,
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
      // RFC 3501 6.3.2: EXAMINE reports RECENT as SELECT does, but claims nothing (2.3.2).
      // RFC 9051 has no \Recent: an IMAP4rev2 session neither claims nor counts (session/rev2.ts).
      const recent = isRev2(enabled)
        ? []
        : readOnly
          ? await recentTracker.unclaimed(mailbox.id, messages.uids)
          : await recentTracker.claim(mailbox.id, messages.uids);
      view = new MailboxView(
        mailbox.id,
        mailbox.name,
        readOnly,
        mailbox.uidValidity,
        mailbox.uidNext,
        mailbox.highestModseq,
        messages,
        readOnly ? [] : recent,
        recentTracker,
        send,
        enabled,
      );
      view.examinedRecent = readOnly ? recent.length : 0;
      view.stopWatching = stop;
      view.pending.push(...early);
      early = null;
      return view;
    } catch (error) {
      stop();
      throw error;
    }
  }

  /**
   * RFC 3501 6.3.2: RECENT as EXAMINE reports it: messages no session has claimed (they stay
   * \Recent for the next SELECT), never more than the messages there are.
   */
  private examinedRecent = 0;

  /** The RECENT count to report: this session's \Recent messages, or (read-only) the unclaimed. */
  private get reportedRecent(): number {
    return this.readOnly ? Math.min(this.examinedRecent, this.exists) : this.recentCount;
  }

  close(): void {
    this.stopWatching?.();
    this.stopWatching = null;
    // RFC 5267 4.3: updates cease when the mailbox is no longer selected.
    this.contexts = null;
  }

  // ---- RFC 5267 4.3 updating contexts -------------------------------------------------------

  /** Whether a context with this tag is updating (4.3: reusing its tag for UPDATE is a BAD). */
  hasContext(tag: string): boolean {
    return this.contexts?.has(tag) ?? false;
  }

  /** Whether another context can be kept (4.3.1: else the command answers NO [NOUPDATE]). */
  canAddContext(): boolean {
    return (this.contexts?.size ?? 0) < MAX_UPDATE_CONTEXTS;
  }

  addContext(context: UpdatingContext): void {
    (this.contexts ??= new Map()).set(context.tag, context);
  }

  /** 4.3.5 CANCELUPDATE: stops one context's updates; false when there is none by that tag. */
  cancelContext(tag: string): boolean {
    const removed = this.contexts?.delete(tag) ?? false;
    if (this.contexts?.size === 0) this.contexts = null;
    return removed;
  }

  /**
   * Each context's update for these changes, in the order the contexts were made. Never throws:
   * the EXPUNGEs that follow must still be told. A context that cannot be updated (the store
   * failed to read a message) stops, and the client hears so by the code RFC 5267 4.3.1 uses for
   * a context the server will not update.
   */
  private async updateContexts(delta: ContextDelta): Promise<void> {
    if (this.contexts === null || (delta.changed.length === 0 && delta.expunged.length === 0)) return;
    for (const context of [...this.contexts.values()]) {
      let line: string | null;
      try {
        line = await context.update(delta);
      } catch {
        this.cancelContext(context.tag);
        line = null;
        await this.send(untaggedStatus('NO', `NOUPDATE "${context.tag}"`, 'Updates stopped'));
      }
      if (line !== null) await this.send(untagged(line));
    }
  }

  get exists(): number {
    return this.uids.length;
  }

  /** RFC 7162 3.1.2.1: the HIGHESTMODSEQ to report for this view. */
  get highestModseq(): number {
    return this.appliedModseq;
  }

  get recentCount(): number {
    const runs = this.recent;
    if (runs === null) return 0;
    let count = 0;
    for (let i = 0; i < runs.length; i += 2)
      count += this.lowerBound((runs[i + 1] as number) + 1) - this.lowerBound(runs[i] as number);
    return count;
  }

  isRecent(uid: number): boolean {
    const runs = this.recent;
    if (runs === null) return false;
    // The last run whose first UID is at most `uid` (runs ascend).
    let low = 0;
    let high = runs.length / 2 - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if ((runs[mid * 2] as number) <= uid) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found >= 0 && uid <= (runs[found * 2 + 1] as number);
  }

  /** Index of the first UID in the view at or above `uid`. */
  private lowerBound(uid: number): number {
    let low = 0;
    let high = this.uids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.uids[mid] as number) < uid) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * Marks these UIDs of the view \Recent for this session: consecutive messages of the view form
   * one run, and a run that starts right after the last one extends it.
   */
  private addRecent(uids: readonly number[]): void {
    if (uids.length === 0) return;
    const sorted = [...uids].sort((a, b) => a - b);
    const runs = (this.recent ??= []);
    let index = this.lowerBound(sorted[0] as number);
    for (const uid of sorted) {
      while (index < this.uids.length && (this.uids[index] as number) < uid) index += 1;
      if (this.uids[index] !== uid) continue;
      const lastEnd = runs.length > 0 ? (runs[runs.length - 1] as number) : null;
      // Consecutive in the view: no message between the run's end and this one.
      if (lastEnd !== null && index > 0 && this.uids[index - 1] === lastEnd) runs[runs.length - 1] = uid;
      else if (lastEnd === null || uid > lastEnd) runs.push(uid, uid);
    }
    if (runs.length === 0) this.recent = null;
  }

  /** All UIDs in sequence order (read-only view). */
  get allUids(): readonly number[] {
    return this.uids;
  }

  get highestUid(): number {
    return this.uids[this.uids.length - 1] ?? 0;
  }

  /** UIDNEXT as far as this session knows: no UID at or above it was ever given out to it. */
  get uidNextKnown(): number {
    return Math.max(this.uidNext, this.highestUid + 1);
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

  /** Keywords (flags without a backslash) set on any message, sorted. */
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

  /** The flags last told to the client, or null when it was told none (a message new since SELECT). */
  flagsOf(uid: number): readonly string[] | null {
    const sequence = this.sequenceOf(uid);
    const flags = sequence === null ? undefined : this.flags[sequence - 1];
    return flags === undefined || flags === UNKNOWN_FLAGS ? null : flags;
  }

  /**
   * FETCH FLAGS includes \Recent for messages recent in this session (RFC 3501 2.3.2); never
   * once IMAP4rev2 is enabled (RFC 9051 has no \Recent, even if enabled with a mailbox selected).
   */
  withRecent(uid: number, flags: readonly string[]): string[] {
    return this.isRecent(uid) && !isRev2(this.enabled) ? [...flags, '\\Recent'] : [...flags];
  }

  // ---- what the view says -------------------------------------------------------------------

  /**
   * RFC 3501 6.3.1 / 6.3.2: the untagged part of SELECT and EXAMINE: FLAGS, PERMANENTFLAGS,
   * EXISTS, RECENT, then the OK codes UNSEEN, UIDVALIDITY, UIDNEXT and RFC 7162 HIGHESTMODSEQ.
   */
  async announceOpened(): Promise<void> {
    for (const keyword of this.keywords()) (this.keywordsTold ??= new Set()).add(keyword);
    for (const line of this.flagResponses()) await this.send(line);
    await this.send(untagged(`${this.exists} EXISTS`));
    // RFC 9051 Appendix E: IMAP4rev2 has no RECENT response and deprecates the UNSEEN code.
    const rev2 = isRev2(this.enabled);
    if (!rev2) await this.send(untagged(`${this.reportedRecent} RECENT`));
    const unseen = rev2 ? null : this.firstUnseen();
    if (unseen !== null)
      await this.send(
        untaggedStatus('OK', responseCode('UNSEEN', unseen), `Message ${unseen} is first unseen`),
      );
    await this.send(untaggedStatus('OK', responseCode('UIDVALIDITY', this.uidValidity), 'UIDs valid'));
    const uidNext = Math.max(this.uidNext, this.highestUid + 1);
    await this.send(untaggedStatus('OK', responseCode('UIDNEXT', uidNext), 'Predicted next UID'));
    // RFC 7162 3.1.2.1: required after a CONDSTORE enabling command; every mailbox here keeps
    // mod-sequences, so it is sent on every SELECT/EXAMINE (a client that does not know the code
    // ignores it, RFC 3501 7.1). It is the value read before the listing: never more than what the
    // client has been told, so a later CHANGEDSINCE from it misses nothing.
    await this.announceHighestModseq();
  }

  /** RFC 7162 3.1.2.1 `* OK [HIGHESTMODSEQ n]`. */
  announceHighestModseq(): Promise<void> {
    return this.send(untaggedStatus('OK', responseCode('HIGHESTMODSEQ', this.appliedModseq), 'Highest'));
  }

  /**
   * One FETCH response of a command (FETCH, STORE) about a message the client knows. `told` says
   * what its FLAGS item tells (when it has one), so that the change is not told again, and any
   * keyword in it is listed by FLAGS and PERMANENTFLAGS first (RFC 3501 7.2.6).
   */
  async sendFetch(sequence: number, entries: readonly FetchEntry[], told: ToldFlags | null): Promise<void> {
    if (told !== null) {
      const uid = this.uids[sequence - 1];
      if (uid !== undefined) await this.remember(uid, told);
    }
    await this.send(fetchResponse(sequence, entries));
  }

  /**
   * The client knows these flags without having been sent them (its own STORE .SILENT): they are
   * remembered, and a keyword new to the client is still announced by FLAGS (RFC 3501 7.2.6).
   */
  async remember(uid: number, told: ToldFlags): Promise<void> {
    const sequence = this.sequenceOf(uid);
    if (sequence === null) return;
    await this.announceKeywords([told.flags]);
    this.flags[sequence - 1] = told.flags;
    const index = sequence - 1;
    this.modseqs[index] = Math.max(this.modseqs[index] ?? 0, told.modseq);
  }

  /**
   * `remember` for a batch writer that announced the keywords first (commands/fetch-flags.ts):
   * the flags and mod-sequence told for the message at this sequence number.
   */
  rememberTold(sequence: number, flags: readonly string[], modseq: number): void {
    const index = sequence - 1;
    if (index < 0 || index >= this.uids.length) return;
    this.flags[index] = flags;
    if ((this.modseqs[index] ?? 0) < modseq) this.modseqs[index] = modseq;
  }

  /** The modseq last told for a message (0 when none), so a response never goes below it. */
  modseqOf(uid: number): number {
    const sequence = this.sequenceOf(uid);
    return sequence === null ? 0 : (this.modseqs[sequence - 1] ?? 0);
  }

  /**
   * This session's own EXPUNGE, UID EXPUNGE or MOVE removed these UIDs: one `* n EXPUNGE` each, in
   * UID order (RFC 3501 7.4.1: each EXPUNGE renumbers the messages after it).
   */
  async sendExpunged(uids: Iterable<number>): Promise<void> {
    const known = [...uids].filter((uid) => this.sequenceOf(uid) !== null).sort((a, b) => a - b);
    // RFC 5267 4.3.4: REMOVEFROM while the sequence numbers are still the client's.
    await this.updateContexts({ changed: [], expunged: known });
    for (const line of this.expungeResponses(known)) await this.send(line);
  }

  /**
   * Removes the UIDs and says so: one `* n EXPUNGE` each, or once QRESYNC is enabled one
   * `* VANISHED uid-set` (RFC 7162 3.2.10: VANISHED replaces EXPUNGE and counts the messages
   * down by as many UIDs as it names, so only UIDs the client knows are named).
   */
  private expungeResponses(uids: Iterable<number>): Buffer[] {
    if (this.enabled.has('QRESYNC')) {
      const known = [...new Set(uids)].filter((uid) => this.sequenceOf(uid) !== null).sort((a, b) => a - b);
      this.removeMany(known);
      return known.length === 0 ? [] : [untagged(`VANISHED ${formatSequenceSet(known)}`)];
    }
    return this.removeMany(uids).map((sequence) => untagged(`${sequence} EXPUNGE`));
  }

  /**
   * RFC 7162 3.2.5.2 / 3.2.6: `* VANISHED (EARLIER) uid-set`, UIDs gone since the client's
   * mod-sequence. It does not change the message count, so none of them may still be in the view.
   */
  async sendVanishedEarlier(uids: readonly number[]): Promise<void> {
    const gone = uids.filter((uid) => this.sequenceOf(uid) === null);
    if (gone.length > 0) await this.send(untagged(`VANISHED (EARLIER) ${formatSequenceSet(gone)}`));
  }

  /**
   * RFC 7162 3.2.5: after SELECT/EXAMINE (QRESYNC ...), one `FETCH (UID FLAGS MODSEQ)` for each
   * message (among `known`, all when null) whose mod-sequence is above `modseq`, in order. The
   * flags and mod-sequences are the ones the view opened with, which it counts as told already.
   */
  async announceChangedSince(modseq: number, known: SequenceSet | null): Promise<void> {
    const max = this.uidNextKnown - 1;
    for (let index = 0; index < this.uids.length; index += 1) {
      const uid = this.uids[index] as number;
      const changed = this.modseqs[index] ?? 0;
      if (changed <= modseq) continue;
      if (known !== null && !sequenceSetContains(known, uid, max)) continue;
      const flags = this.withRecent(uid, this.flags[index] ?? []).map((flag) => atom(flag));
      await this.send(
        fetchResponse(index + 1, [
          ['UID', uid],
          ['FLAGS', flags],
          ['MODSEQ', [changed]],
        ]),
      );
    }
  }

  /**
   * Applies the other sessions' pending changes and tells them, in this order: EXISTS and RECENT
   * for new messages (so no FETCH names a message the client has not counted, RFC 3501 7.3.1),
   * FLAGS and PERMANENTFLAGS for keywords new to the client (7.2.6), one FETCH per changed
   * message with its latest flags (never a MODSEQ below one already told, RFC 7162 3.1), then
   * EXPUNGEs if allowed (7.4.1).
   */
  async announce(options: AnnounceOptions): Promise<void> {
    if (this.contexts === null) {
      for (const line of await this.drain(options)) await this.send(line);
      return;
    }
    // RFC 5267 4.3.3 / 4.3.4: context updates go after the EXISTS that counts new messages and
    // before the EXPUNGEs that renumber: the sequence numbers in them are valid when they arrive.
    const changed = new Set<number>();
    for (const change of this.pending)
      if (change.kind === 'new' || change.kind === 'flags') changed.add(change.uid);
    const { out, expunging } = await this.drainChanges(options);
    for (const line of out) await this.send(line);
    const expunged = [...(expunging ?? [])]
      .filter((uid) => this.sequenceOf(uid) !== null)
      .sort((a, b) => a - b);
    const gone = new Set(expunged);
    await this.updateContexts({
      changed: [...changed]
        .filter((uid) => !gone.has(uid) && this.sequenceOf(uid) !== null)
        .sort((a, b) => a - b),
      expunged,
    });
    for (const line of this.expungeResponses(expunged)) await this.send(line);
  }

  /** `announce` without sending: the responses, in order. */
  async drain(options: AnnounceOptions): Promise<Buffer[]> {
    const { out, expunging } = await this.drainChanges(options);
    if (expunging !== null) out.push(...this.expungeResponses(expunging));
    return out;
  }

  /**
   * Applies the pending changes and returns their responses up to the EXPUNGEs, and (when they
   * may be announced) the UIDs to expunge, still in the view.
   */
  private async drainChanges({ allowExpunge, condstore, deferFlags = false }: AnnounceOptions): Promise<{
    out: Buffer[];
    expunging: Set<number> | null;
  }> {
    const out: Buffer[] = [];
    const changes = this.pending;
    this.pending = [];
    const newRecent: number[] = [];
    let grew = false;
    // The latest flag change of each message: older ones are superseded (RFC 7162 3.1: the client
    // must see a message's mod-sequence only go up), whatever order the changes came in.
    const latest = new Map<number, Extract<MailboxChange, { kind: 'flags' }>>();
    const deferred: MailboxChange[] = [];
    for (const change of changes) {
      if (deferFlags && change.kind === 'flags') {
        deferred.push(change);
        continue;
      }
      if (change.kind !== 'mailbox') this.appliedModseq = Math.max(this.appliedModseq, change.modseq);
      switch (change.kind) {
        case 'new':
          if (change.uid > this.highestUid) {
            this.uids.push(change.uid);
            this.flags.push(UNKNOWN_FLAGS);
            this.modseqs.push(0);
            newRecent.push(change.uid);
            grew = true;
          }
          break;
        case 'flags': {
          const previous = latest.get(change.uid);
          if (previous === undefined || previous.modseq < change.modseq) latest.set(change.uid, change);
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
    if (deferred.length > 0) this.pending = [...deferred, ...this.pending];
    const rev2 = isRev2(this.enabled);
    if (rev2) {
      // RFC 9051: no \Recent: nothing claimed, nothing counted (an IMAP4rev1 session still may).
    } else if (newRecent.length > 0 && !this.readOnly) {
      this.addRecent(await this.recentTracker.claim(this.mailboxId, newRecent));
    } else if (newRecent.length > 0) {
      this.examinedRecent += (await this.recentTracker.unclaimed(this.mailboxId, newRecent)).length;
    }
    if (grew) {
      // RFC 3501 7.3.1: EXISTS after new mail; RECENT goes with it (7.3.2). First of all, so that
      // every FETCH below names a message the client has counted.
      out.push(untagged(`${this.uids.length} EXISTS`));
      if (!rev2) out.push(untagged(`${this.reportedRecent} RECENT`));
    }
    const fetches: Array<{ sequence: number; change: Extract<MailboxChange, { kind: 'flags' }> }> = [];
    for (const change of latest.values()) {
      const sequence = this.sequenceOf(change.uid);
      if (sequence === null || this.deferredExpunges?.has(change.uid)) continue;
      const index = sequence - 1;
      const toldModseq = this.modseqs[index] ?? 0;
      // Old news: the client was told this state or a later one (e.g. by its own STORE).
      if (change.modseq <= toldModseq) continue;
      this.modseqs[index] = change.modseq;
      const same = sameFlags(this.flags[index], change.flags);
      this.flags[index] = change.flags;
      // RFC 7162 3.1: a CONDSTORE client also hears of a new mod-sequence with the same flags.
      if (same && !condstore) continue;
      fetches.push({ sequence, change });
    }
    if (fetches.length > 0) {
      out.push(...this.keywordResponses(fetches.map(({ change }) => change.flags)));
      fetches.sort((a, b) => a.sequence - b.sequence);
      for (const { sequence, change } of fetches) {
        const flags = this.withRecent(change.uid, change.flags).map((flag) => atom(flag));
        // RFC 7162 3.1: once CONDSTORE is enabled, every untagged FETCH carries MODSEQ; and the UID,
        // as 3.2.4 requires of QRESYNC servers and 3.1.4.2 asks of CONDSTORE-only ones. RFC 9051
        // 7.5.2: an IMAP4rev2 server includes UID in every unsolicited FETCH.
        const items: FetchEntry[] = condstore
          ? [
              ['UID', change.uid],
              ['FLAGS', flags],
              ['MODSEQ', [change.modseq]],
            ]
          : rev2
            ? [
                ['UID', change.uid],
                ['FLAGS', flags],
              ]
            : [['FLAGS', flags]];
        out.push(fetchResponse(sequence, items));
      }
    }
    const expunged = this.deferredExpunges;
    if (allowExpunge && expunged !== null) {
      this.deferredExpunges = null;
      return { out, expunging: expunged };
    }
    return { out, expunging: null };
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
    const keptModseqs: number[] = [];
    this.uids.forEach((uid, index) => {
      if (unique.has(index + 1)) {
        // Runs of \Recent UIDs stay right: what is removed is no longer in the view to count.
        this.deferredExpunges?.delete(uid);
      } else {
        kept.push(uid);
        keptFlags.push(this.flags[index] ?? UNKNOWN_FLAGS);
        keptModseqs.push(this.modseqs[index] ?? 0);
      }
    });
    if (this.deferredExpunges?.size === 0) this.deferredExpunges = null;
    this.uids = kept;
    this.flags = keptFlags;
    this.modseqs = keptModseqs;
    return sequences;
  }

  /** FLAGS and PERMANENTFLAGS again when these flag lists hold keywords the client was not told. */
  async announceKeywords(lists: ReadonlyArray<readonly string[]>): Promise<void> {
    for (const line of this.keywordResponses(lists)) await this.send(line);
  }

  private keywordResponses(lists: ReadonlyArray<readonly string[]>): Buffer[] {
    let added = false;
    for (const flags of lists)
      for (const flag of flags)
        if (!flag.startsWith('\\') && !this.keywordsTold?.has(flag)) {
          (this.keywordsTold ??= new Set()).add(flag);
          added = true;
        }
    return added ? this.flagResponses() : [];
  }

  /**
   * RFC 3501 7.2.6 FLAGS and 7.1 PERMANENTFLAGS, listing every keyword told so far. The keywords
   * are in PERMANENTFLAGS too (as Dovecot lists them), and `\*` says new ones may be created;
   * a read-only view permits nothing.
   */
  private flagResponses(): Buffer[] {
    const keywords = [...(this.keywordsTold ?? [])].sort();
    const flags = [...SYSTEM_FLAGS, ...keywords].map(atom);
    const permanent = this.readOnly ? [] : [...flags, atom('\\*')];
    return [
      untagged('FLAGS', flags),
      untaggedStatus('OK', responseCode('PERMANENTFLAGS', permanent), 'Flags permitted'),
    ];
  }
}

function sameFlags(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (!a || a === UNKNOWN_FLAGS || a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((flag) => set.has(flag));
}
