/**
 * RFC 5267 4.3 updating contexts: what SEARCH/SORT `RETURN (UPDATE)` leaves behind. The context
 * keeps the search program and the result the client was told, and on each change re-evaluates
 * the messages that changed (new ones, changed flags) and drops the expunged, answering
 * `* ESEARCH (TAG "t") [UID] REMOVEFROM (...) ADDTO (...)`:
 * - a SEARCH context is in mailbox order: position 0 and sets in mailbox order (4.3.3, 4.3.4);
 * - a SORT context keeps the requested order: each pair names the position where its run of
 *   results starts, removals from the highest position down and additions from the lowest up, so
 *   that each pair, processed in order (4.3.2), leaves the client's list in the requested order.
 * Sort keys never change once a message exists, so a message's place among the others is fixed:
 * only membership changes.
 */
import type { Logger } from '@minimail/protocol';
import type { ImapStore, MessageSummary } from '@minimail/store';
import { bad } from '../errors.js';
import { readBodyIfPresent } from '../message-body.js';
import { untaggedStatus } from '../protocol/compiler.js';
import type { MessageStructures } from '../message-structure.js';
import { formatSequenceSet } from '../protocol/sequence-set.js';
import type { SearchKey, SearchReturnOption } from '../protocol/search.js';
import type { SortCriterion } from '../protocol/sort.js';
import { matchesAll, needsContent, type SearchCandidate } from '../search-evaluate.js';
import type { MailboxView } from '../session/mailbox-view.js';
import type { ContextDelta, UpdatingContext } from '../session/search-contexts.js';
import { SUMMARY_SORT_KEYS, compareSortEntries, sortValue, type SortEntry } from '../sort/sort-keys.js';
import { viewOf, type CommandContext } from './types.js';

export interface ContextOpening {
  /** Sends `* NO [NOUPDATE "tag"]` when no context can be kept (RFC 5267 4.3.1), before the answer. */
  beforeAnswer(): Promise<void>;
  /** Keeps the context, once the client has its result. */
  afterAnswer(program: {
    criteria: readonly SearchKey[];
    sortCriteria: readonly SortCriterion[] | null;
    uid: boolean;
    initial: readonly number[] | readonly SortEntry[];
  }): void;
}

const NOTHING: ContextOpening = { beforeAnswer: () => Promise.resolve(), afterAnswer: () => undefined };

/**
 * What `RETURN (... UPDATE ...)` asks of a SEARCH or SORT (RFC 5267 4.3): refused with BAD when
 * its tag already names an updating context, with `* NO [NOUPDATE]` (and the rest of the answer
 * still given) when the session keeps as many as it may.
 */
export function openContext(
  ctx: CommandContext,
  tag: string,
  returnOptions: readonly SearchReturnOption[] | null,
): ContextOpening {
  if (returnOptions?.includes('UPDATE') !== true) return NOTHING;
  const view = viewOf(ctx);
  if (view.hasContext(tag)) throw bad('Tag reuse');
  const refused = !view.canAddContext();
  return {
    async beforeAnswer() {
      if (refused) await ctx.send(untaggedStatus('NO', `NOUPDATE "${tag}"`, 'Too many contexts'));
    },
    afterAnswer({ criteria, sortCriteria, uid, initial }) {
      if (refused) return;
      const source = { logger: ctx.logger, store: ctx.store, structures: ctx.server.structures, view };
      view.addContext(new ResultContext(tag, uid, criteria, sortCriteria, source, initial));
    },
  };
}

export interface ContextSource {
  readonly logger: Logger;
  readonly store: ImapStore;
  readonly structures: MessageStructures;
  readonly view: MailboxView;
}

export class ResultContext implements UpdatingContext {
  /** SEARCH: the UIDs in the result. */
  private readonly members: Set<number>;
  /** SORT: the result in the requested order (null for a SEARCH context). */
  private entries: SortEntry[] | null;
  /** The program names messages by position or by `$`/`*`: every message is re-evaluated. */
  private readonly positional: boolean;

  constructor(
    readonly tag: string,
    private readonly uid: boolean,
    private readonly criteria: readonly SearchKey[],
    private readonly sortCriteria: readonly SortCriterion[] | null,
    private readonly source: ContextSource,
    /** The result the client was told: UIDs (SEARCH) or entries in the requested order (SORT). */
    initial: readonly number[] | readonly SortEntry[],
  ) {
    if (sortCriteria === null) {
      this.members = new Set(initial as readonly number[]);
      this.entries = null;
    } else {
      this.entries = [...(initial as readonly SortEntry[])];
      this.members = new Set(this.entries.map((entry) => entry.uid));
    }
    this.positional = criteria.some(isPositional);
  }

  async update(delta: ContextDelta): Promise<string | null> {
    try {
      return await this.apply(delta);
    } catch (error) {
      // The view stops this context and tells the client (NOUPDATE); the reason goes to the log.
      this.source.logger.error({ err: error, tag: this.tag }, 'search context update failed');
      throw error;
    }
  }

  private async apply(delta: ContextDelta): Promise<string | null> {
    const { view } = this.source;
    const leaving = new Set(delta.expunged.filter((uid) => this.members.has(uid)));
    const expunging = new Set(delta.expunged);
    const candidates = this.positional
      ? view.allUids.filter((uid) => !expunging.has(uid))
      : delta.changed.filter((uid) => !expunging.has(uid));
    const arriving: SortEntry[] = [];
    for (const { summary, matches, values } of await this.evaluate(candidates)) {
      if (matches && !this.members.has(summary.uid)) arriving.push({ uid: summary.uid, values });
      else if (!matches && this.members.has(summary.uid)) leaving.add(summary.uid);
    }
    if (leaving.size === 0 && arriving.length === 0) return null;
    const parts = ['ESEARCH', `(TAG "${this.tag}")`];
    if (this.uid) parts.push('UID');
    if (this.entries === null) {
      for (const uid of leaving) this.members.delete(uid);
      for (const { uid } of arriving) this.members.add(uid);
      if (leaving.size > 0) parts.push('REMOVEFROM', `(0 ${this.set([...leaving].sort((a, b) => a - b))})`);
      if (arriving.length > 0)
        parts.push('ADDTO', `(0 ${this.set(arriving.map((entry) => entry.uid).sort((a, b) => a - b))})`);
      return parts.join(' ');
    }
    if (leaving.size > 0) parts.push('REMOVEFROM', `(${this.remove(leaving)})`);
    if (arriving.length > 0) parts.push('ADDTO', `(${this.insert(arriving)})`);
    return parts.join(' ');
  }

  /** Removes the leaving entries; the REMOVEFROM pairs, highest position first. */
  private remove(leaving: ReadonlySet<number>): string {
    const entries = this.entries as SortEntry[];
    const runs = runsOf(
      entries.map((entry, index) => (leaving.has(entry.uid) ? index + 1 : 0)).filter(Boolean),
    );
    const pairs = runs
      .reverse()
      .map(([start, end]) => `${start} ${this.set(entries.slice(start - 1, end).map((entry) => entry.uid))}`);
    this.entries = entries.filter((entry) => !leaving.has(entry.uid));
    for (const uid of leaving) this.members.delete(uid);
    return pairs.join(' ');
  }

  /** Inserts the arriving entries in order; the ADDTO pairs, lowest position first. */
  private insert(arriving: readonly SortEntry[]): string {
    const criteria = this.sortCriteria as readonly SortCriterion[];
    const fresh = new Set(arriving.map((entry) => entry.uid));
    const entries = [...(this.entries as SortEntry[]), ...arriving].sort((a, b) =>
      compareSortEntries(criteria, a, b),
    );
    this.entries = entries;
    for (const uid of fresh) this.members.add(uid);
    const runs = runsOf(
      entries.map((entry, index) => (fresh.has(entry.uid) ? index + 1 : 0)).filter(Boolean),
    );
    return runs
      .map(([start, end]) => `${start} ${this.set(entries.slice(start - 1, end).map((entry) => entry.uid))}`)
      .join(' ');
  }

  /** A set of UIDs as the client counts them (UIDs, or sequence numbers), order kept. */
  private set(uids: readonly number[]): string {
    const view = this.source.view;
    return formatSequenceSet(this.uid ? uids : uids.map((uid) => view.sequenceOf(uid) as number));
  }

  /** Whether each candidate matches now, with its sort values; messages gone from the store are left out. */
  private async evaluate(
    uids: readonly number[],
  ): Promise<Array<{ summary: MessageSummary; matches: boolean; values: SortEntry['values'] }>> {
    if (uids.length === 0) return [];
    const { store, structures, view } = this.source;
    const summaries = await store.getMessages(view.mailboxId, uids);
    const withContent =
      needsContent(this.criteria) ||
      (this.sortCriteria?.some((criterion) => !SUMMARY_SORT_KEYS.has(criterion.key)) ?? false);
    const scope = {
      exists: view.exists,
      highestUid: view.highestUid,
      savedUids: new Set(view.savedResult),
      now: Date.now(),
    };
    const results: Array<{ summary: MessageSummary; matches: boolean; values: SortEntry['values'] }> = [];
    for (const summary of summaries) {
      const sequence = view.sequenceOf(summary.uid);
      if (sequence === null) continue;
      let content: SearchCandidate['content'] = null;
      if (withContent) {
        const raw = await readBodyIfPresent(store, summary.bodyHash);
        // Expunged meanwhile: its expunge is announced (and handled) later.
        if (raw === null) continue;
        content = { raw, structure: await structures.structureOf(summary.bodyHash, raw) };
      }
      const candidate: SearchCandidate = {
        sequence,
        message: summary,
        recent: view.isRecent(summary.uid),
        content,
      };
      const matches = matchesAll(this.criteria, candidate, scope);
      const values =
        matches && this.sortCriteria !== null
          ? this.sortCriteria.map((criterion) => sortValue(criterion.key, { summary, content }))
          : [];
      results.push({ summary, matches, values });
    }
    return results;
  }
}

/** Whether a key's match depends on where a message is (sequence numbers, `*`, `$`), not on itself. */
function isPositional(key: SearchKey): boolean {
  switch (key.key) {
    case 'SEQUENCE':
      return true;
    case 'UID':
      return key.set === '$' || key.set.some((range) => range.start === '*' || range.end === '*');
    case 'NOT':
      return isPositional(key.operand);
    case 'OR':
      return isPositional(key.left) || isPositional(key.right);
    case 'AND':
      return key.operands.some(isPositional);
    default:
      return false;
  }
}

/** Ascending positions grouped into runs of consecutive ones: [start, end] each. */
function runsOf(positions: readonly number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const position of positions) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] + 1 === position) last[1] = position;
    else runs.push([position, position]);
  }
  return runs;
}
