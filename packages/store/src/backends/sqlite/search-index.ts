import type { SqliteDatabase } from './db.js';
import { StoreError } from '../../core/types.js';
import { MAX_PAGE_SIZE, MAX_QUERY_TERMS } from '../../core/limits.js';
import type {
  BodyFacts,
  CaughtCopy,
  CaughtGroup,
  IndexedBody,
  IndexedTextMatch,
  MessagePage,
  MessageQuery,
  SearchTerm,
} from '../../core/search-types.js';

import { MAX_WHOLLY_INDEXED_SIZE, searchColumns, trigramPhrases } from '../../core/search-text.js';

/** Searches (and their totals) remembered per state of the data, so paging one costs its page. */
const SEARCH_CACHE_ENTRIES = 64;

interface GroupRow {
  body_hash: string;
  internal_date: number;
  size: number;
  copies: string;
  from_json: string | null;
  to_json: string | null;
  cc_json: string | null;
  bcc_json: string | null;
  reply_json: string | null;
  subject: string | null;
  message_id: string | null;
  snippet: string | null;
  attachments: number | null;
}

/** Most new-mail feed rows carried into the last count of a list's totals before counting afresh. */
const NEW_MAIL_CARRY = 1_000;

type Totals = { total: number; unread: number | null };

/**
 * Most bodies a remembered full-text match holds to be extended after new mail (memory: 64 such
 * searches of 50,000 hashes are ~200 MB); a larger match is matched afresh. A word in most bodies
 * is answered from the bodies it leaves out instead (denseMatch).
 */
const MAX_CARRIED_MATCH = 50_000;

/**
 * What a carried count must also check of each new copy: the filter's clauses besides scope,
 * `deleted = 0` and the full-text match (`sql`, with `params`), and the bodies the match holds
 * (`hashes`; null: no full-text term).
 */
interface CarryFilter {
  sql: string;
  params: unknown[];
  hashes: ReadonlySet<string> | null;
}

/** Where the change feed, the message table and the index stood when totals were counted. */
interface FeedMark {
  feedId: number;
  messages: number;
  factsMax: number;
  forgotten: number;
}

/** No filter: a list's totals. */
const NO_FILTER: CarryFilter = { sql: '1', params: [], hashes: null };

/** The bodies a full-text expression matches, as SQL wants them (JSON) and as a set. */
interface Matched {
  json: string;
  count: number;
  hashes: ReadonlySet<string>;
}

/**
 * FTS5 column filter for each text field. 'any' is the catcher's five columns: the `headers`
 * column (migration 014) is IMAP SEARCH TEXT's, not something the catcher searches.
 */
const COLUMN: Record<Extract<SearchTerm, { kind: 'text' }>['field'], string> = {
  any: '{sender recipients subject body message_id}',
  from: 'sender',
  to: 'recipients',
  subject: 'subject',
  'message-id': 'message_id',
};

/**
 * The full-text index and the grouped list of caught mail, on SQLite (FTS5, trigram tokenizer).
 * `index` runs inside the delivery's write transaction, so a message is searchable exactly when it
 * is committed; the `body_facts_forget` trigger (migration 006) removes it with its body.
 */
export class SearchIndex {
  private readonly insertFacts;
  private readonly insertText;
  private readonly dataVersion;
  private readonly totalChanges;
  private readonly totalsCache = new Map<string, { version: string; value: Totals }>();
  /** The last counted (or carried) totals per list or search, with where the feed then stood. */
  private readonly base = new Map<string, FeedMark & { scope: string; value: Totals }>();
  private readonly idsCache = new Map<string, { version: string; value: number }>();
  private readonly unmatchedCache = new Map<string, { version: string; value: string[] }>();
  private readonly matchCache = new Map<string, { version: string; value: Matched }>();
  /** The last full-text match per expression, with the index's largest id and forget count then. */
  private readonly matchBase = new Map<string, { factsMax: number; forgotten: number; hashes: string[] }>();

  constructor(private readonly db: SqliteDatabase) {
    this.insertFacts = db.prepare(
      `INSERT INTO body_facts (hash, from_json, to_json, cc_json, bcc_json, reply_json, subject, message_id, snippet, attachments, headers_indexed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
    );
    this.dataVersion = db.prepare('PRAGMA data_version');
    this.totalChanges = db.prepare('SELECT total_changes()');
    this.insertText = db.prepare(
      'INSERT INTO body_search (rowid, sender, recipients, subject, body, message_id, headers) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Indexes a body once (a body already indexed is left alone). Call in the delivery's transaction. */
  index(hash: string, body: IndexedBody): boolean {
    const rowid = this.insertFactsOf(hash, body);
    if (rowid === null) return false;
    this.insertTextOf(rowid, body);
    return true;
  }

  /**
   * Indexes a body at the end of the write batch, in its transaction (docs/adr/0040): FTS5 writes
   * its pending rows to a new segment whenever a statement that may need rolling back starts (each
   * delivery's savepoint, the next delivery's UPDATE), so indexing each delivery on its own wrote
   * one segment per message and merged them again and again. Deferred, a batch's rows are one
   * segment. `writeDeferred` (the queue's `beforeCommit`) writes every facts row first, then the
   * text rows, so no statement between two text rows flushes the pending ones.
   */
  indexLater(hash: string, body: IndexedBody): void {
    this.deferred.push({ hash, body });
  }

  /** The queue's handle on `indexLater`'s rows (write-queue.ts DeferredWrites). */
  readonly deferredWrites = {
    mark: (): number => this.deferred.length,
    undo: (mark: number): void => {
      this.deferred.length = Math.min(this.deferred.length, mark);
    },
    beforeCommit: (): void => {
      const items = this.deferred;
      this.deferred = [];
      if (items.length === 0) return;
      const texts: Array<{ rowid: number | bigint; body: IndexedBody }> = [];
      for (const { hash, body } of items) {
        const rowid = this.insertFactsOf(hash, body);
        if (rowid !== null) texts.push({ rowid, body });
      }
      for (const { rowid, body } of texts) this.insertTextOf(rowid, body);
    },
    discard: (): void => {
      this.deferred = [];
    },
  };

  private deferred: Array<{ hash: string; body: IndexedBody }> = [];

  private insertFactsOf(hash: string, body: IndexedBody): number | bigint | null {
    const json = JSON.stringify;
    const result = this.insertFacts.run(
      hash,
      json(body.from),
      json(body.to),
      json(body.cc),
      json(body.bcc),
      json(body.replyTo),
      body.subject,
      body.messageId,
      body.snippet,
      body.attachments,
      body.headers === undefined ? 0 : 1,
    );
    return result.changes === 0 ? null : result.lastInsertRowid;
  }

  private insertTextOf(rowid: number | bigint, body: IndexedBody): void {
    const columns = searchColumns(body);
    this.insertText.run(
      rowid,
      columns.sender,
      columns.recipients,
      columns.subject,
      columns.body,
      columns.messageId,
      columns.headers,
    );
  }

  /** Hashes of bodies without a facts row, after `after` in hash order (the backfill's cursor). */
  unindexed(after: string, limit: number): string[] {
    return this.db
      .prepare<[string, number], string>(
        `SELECT b.hash FROM bodies b WHERE b.hash > ?
           AND NOT EXISTS (SELECT 1 FROM body_facts f WHERE f.hash = b.hash)
         ORDER BY b.hash LIMIT ?`,
      )
      .pluck()
      .all(after, limit);
  }

  /**
   * IMAP SEARCH BODY and TEXT (docs/adr/0036): the UIDs of the mailbox whose indexed body text
   * (and for TEXT header block) may contain `term`, and those the index cannot speak for, or
   * null when the trigram index cannot answer for the term (see trigramPhrases).
   */
  textMatch(mailboxId: number, term: string, scope: 'body' | 'text'): IndexedTextMatch | null {
    const phrases = trigramPhrases(term);
    if (phrases === null) return null;
    // TEXT: the header block or the body (each column matched on its own, as IMAP compares them).
    const columns = scope === 'body' ? 'body' : '{body headers}';
    const expression = phrases.map((phrase) => `${columns} : ${phrase}`).join(' OR ');
    // Driven by the full-text match (matches -> facts -> copies of those bodies), not by the
    // mailbox's copies: a rare word in 100,000 messages reads its few rows, not 100,000.
    const matched = this.db
      .prepare<[string, number], number>(
        `SELECT m.uid FROM body_search s
         JOIN body_facts f INDEXED BY body_facts_id_hash ON f.id = s.rowid
         JOIN messages m INDEXED BY messages_by_body ON m.body_hash = f.hash
         WHERE body_search MATCH ? AND m.mailbox_id = ?
         ORDER BY m.uid`,
      )
      .pluck()
      .all(expression, mailboxId);
    const entry = scope === 'body' ? '' : ' AND f.headers_indexed = 1';
    const unindexed = this.db
      .prepare<[number, number], number>(
        `SELECT m.uid FROM messages m WHERE m.mailbox_id = ?
           AND (m.size >= ? OR NOT EXISTS (SELECT 1 FROM body_facts f WHERE f.hash = m.body_hash${entry}))
         ORDER BY m.uid`,
      )
      .pluck()
      .all(mailboxId, MAX_WHOLLY_INDEXED_SIZE);
    return { matched, unindexed };
  }

  /** Up to `limit` distinct hashes of the mailbox's bodies without an index entry (lazy indexing). */
  unindexedIn(mailboxId: number, limit: number): string[] {
    return this.db
      .prepare<[number, number], string>(
        `SELECT DISTINCT m.body_hash FROM messages m WHERE m.mailbox_id = ?
           AND NOT EXISTS (SELECT 1 FROM body_facts f WHERE f.hash = m.body_hash)
         LIMIT ?`,
      )
      .pluck()
      .all(mailboxId, limit);
  }

  /** Indexes bodies stored without an entry, skipping any gone since (no facts row may outlive its body). */
  indexExisting(entries: ReadonlyArray<{ hash: string; body: IndexedBody }>): number {
    const exists = this.db.prepare<[string], number>('SELECT 1 FROM bodies WHERE hash = ?').pluck();
    let indexed = 0;
    for (const { hash, body } of entries) {
      if (exists.get(hash) === undefined) continue;
      if (this.index(hash, body)) indexed += 1;
    }
    return indexed;
  }

  /**
   * One page of the groups matching the query, newest first, with the true totals.
   *
   * Cost (docs/benchmarks.md, "Catcher search"): the full-text match runs once per query and state
   * of the data (cached, as are the totals), so paging and repeated polls of one search cost only
   * their page. The page itself is read one of two ways, whichever touches fewer rows: from the
   * matched bodies (few matches: `messages_by_body`), or by walking the newest-first listing index
   * and stopping as soon as the page is full (many matches: a common word in 10% of 100,000
   * messages fills a page of 50 after ~500 index rows instead of grouping and sorting 10,000).
   */
  search(query: MessageQuery): MessagePage {
    if (query.terms.length > MAX_QUERY_TERMS) {
      throw new StoreError('INVALID', `a search may have at most ${MAX_QUERY_TERMS} terms`);
    }
    // One read transaction: every statement sees one snapshot, so what a carried answer
    // remembers (where the feed and the index stood) is exactly what it counted.
    return this.db.transaction(() => this.searchAt(query))();
  }

  private searchAt(query: MessageQuery): MessagePage {
    const limit = Math.min(Math.max(query.limit, 0), MAX_PAGE_SIZE);
    const start = Math.max(query.start, 0);
    const version = this.version();
    const dense = this.denseMatch(query, version);
    if (dense !== null) return this.searchDense(query, dense, start, limit);
    const { where, params, matched, scope, carry } = this.filter(query, version);
    const count = (index: string, groupBy: string) => () =>
      this.db
        .prepare<unknown[], Totals>(
          `SELECT count(*) AS total, sum(seen = 0) AS unread FROM (
             SELECT min(m.seen) AS seen FROM messages m INDEXED BY ${index} WHERE ${where} GROUP BY ${groupBy})`,
        )
        .get(...params)!;
    // Counting follows the index's own order (no sort): by body when the full-text match drives it.
    const totals =
      query.totals === false
        ? { total: -1, unread: -1 }
        : query.terms.length === 0
          ? this.allTotals(query.mailboxIds, version)
          : this.totals(
              JSON.stringify([query.terms, query.mailboxIds ?? null]),
              version,
              scope,
              carry,
              matched !== null
                ? count('messages_by_body', 'm.body_hash, m.internal_date')
                : count('messages_listing', 'm.internal_date, m.body_hash'),
            );
    // Walking the listing reads about (start + limit) x (all groups / matched bodies) rows; reading
    // by body about the matched bodies' copies, sorted. A seek costs a few sequential rows.
    const all = matched === null ? 0 : this.allGroups(query.mailboxIds, version);
    const walk = matched === null || (start + limit) * (all / Math.max(matched, 1)) < matched * 4;
    const page = this.db
      .prepare<unknown[], { body_hash: string; internal_date: number }>(
        `SELECT m.internal_date, m.body_hash FROM messages m
         INDEXED BY ${walk ? 'messages_listing' : 'messages_by_body'}
         WHERE ${where} GROUP BY m.internal_date, m.body_hash
         ORDER BY m.internal_date DESC, m.body_hash DESC LIMIT ? OFFSET ?`,
      )
      .all(...params, limit, start);
    return {
      total: totals.total,
      unread: totals.unread ?? 0,
      groups: this.groups(page, query.mailboxIds),
    };
  }

  /**
   * The state of the data: this connection's data_version (moves when another connection commits:
   * the writer thread, other processes) plus total_changes() (moves when this connection writes),
   * both O(1) to read. Cached answers are valid while it stays the same.
   */
  private version(): string {
    return `${this.dataVersion.pluck().get() as number}:${this.totalChanges.pluck().get() as number}`;
  }

  /** `compute()`, or its answer from `cache` if computed at this state of the data. */
  private cached<T>(
    cache: Map<string, { version: string; value: T }>,
    key: string,
    version: string,
    compute: () => T,
  ): T {
    const hit = cache.get(key);
    if (hit !== undefined && hit.version === version) return hit.value;
    const value = compute();
    if (cache.size >= SEARCH_CACHE_ENTRIES) cache.clear();
    cache.set(key, { version, value });
    return value;
  }

  /** How many groups the scope holds (the unfiltered total, cached like every total). */
  private allGroups(mailboxIds: readonly number[] | undefined, version: string): number {
    return this.allTotals(mailboxIds, version).total;
  }

  /**
   * The unfiltered totals of the scope: the same answer (and cache entry) as a list without terms.
   * Counting every group costs a scan of the listing index (100,000 copies: ~30 ms idle, several
   * times that on a loaded machine), so after new mail the last count is carried forward instead:
   * when the change feed since it holds only `new` rows (at most NEW_MAIL_CARRY of them), each new
   * copy either starts a group or joins one, read by its key. Anything else (flags, expunges,
   * mailbox changes, a pruned feed, a row count that does not add up) counts afresh.
   */
  private allTotals(mailboxIds: readonly number[] | undefined, version: string): Totals {
    const scope = this.scopeOf(mailboxIds);
    return this.totals(JSON.stringify([[], mailboxIds ?? null]), version, scope, NO_FILTER, () =>
      this.db
        .prepare<unknown[], Totals>(
          `SELECT count(*) AS total, sum(seen = 0) AS unread FROM (
             SELECT min(m.seen) AS seen FROM messages m INDEXED BY messages_listing
             WHERE m.deleted = 0 AND ${scope.sql} GROUP BY m.internal_date, m.body_hash)`,
        )
        .get(...scope.params)!,
    );
  }

  /**
   * The totals of a list or search (`key`) at this state of the data: cached, else carried from the
   * last count over the new mail since (see allTotals; `filter` says which new copies count, null:
   * never carry), else `count()`.
   */
  private totals(
    key: string,
    version: string,
    scope: { sql: string; params: number[] },
    filter: CarryFilter | null,
    count: () => Totals,
  ): Totals {
    const hit = this.totalsCache.get(key);
    if (hit !== undefined && hit.version === version) return hit.value;
    const mark = this.feedMark();
    const carried = this.base.get(key);
    const value =
      (filter !== null && carried !== undefined && carried.scope === scope.params.join(',')
        ? this.carryForward(carried, mark, scope, filter)
        : null) ?? count();
    if (this.totalsCache.size >= SEARCH_CACHE_ENTRIES) this.totalsCache.clear();
    this.totalsCache.set(key, { version, value });
    if (this.base.size >= SEARCH_CACHE_ENTRIES) this.base.clear();
    this.base.set(key, { ...mark, scope: scope.params.join(','), value });
    return value;
  }

  /** Where the feed, the message table and the search index stand (seeks and a btree count). */
  private feedMark(): FeedMark {
    return this.db
      .prepare<[], FeedMark>(
        `SELECT (SELECT coalesce(max(id), 0) FROM changes) AS feedId,
                (SELECT count(*) FROM messages) AS messages,
                (SELECT coalesce(max(id), 0) FROM body_facts) AS factsMax,
                (SELECT forgotten FROM search_epoch WHERE id = 1) AS forgotten`,
      )
      .get()!;
  }

  /** The totals `base` had, moved forward over the new mail since it, or null to count afresh. */
  private carryForward(
    base: FeedMark & { value: Totals },
    mark: FeedMark,
    scope: { sql: string; params: number[] },
    filter: CarryFilter,
  ): Totals | null {
    if (mark.feedId - base.feedId > NEW_MAIL_CARRY || mark.feedId < base.feedId) return null;
    const rows = this.db
      .prepare<[number], { mailbox_id: number; kind: string; uid: number | null }>(
        'SELECT mailbox_id, kind, uid FROM changes WHERE id > ? ORDER BY id',
      )
      .all(base.feedId);
    // Every feed row since the base is still there (ids are contiguous: AUTOINCREMENT, never reused).
    if (rows.length !== mark.feedId - base.feedId) return null;
    if (rows.some((row) => row.kind !== 'new' || row.uid === null)) return null;
    if (mark.messages !== base.messages + rows.length) return null;
    const inScope = new Set(scope.params);
    const fresh = new Set(rows.map((row) => `${row.mailbox_id}:${row.uid}`));
    // A search also depends on the index: every body indexed since must be one only the new
    // copies hold (the background backfill indexes older bodies without a feed row), and none
    // may have been forgotten (migration 016).
    if (filter !== NO_FILTER) {
      if (mark.forgotten !== base.forgotten || mark.factsMax < base.factsMax) return null;
      const indexed = this.db
        .prepare<[number], string>('SELECT hash FROM body_facts WHERE id > ?')
        .pluck()
        .all(base.factsMax);
      const copiesOf = this.db.prepare<[string], { mailbox_id: number; uid: number }>(
        'SELECT mailbox_id, uid FROM messages INDEXED BY messages_by_body WHERE body_hash = ?',
      );
      for (const hash of indexed) {
        if (copiesOf.all(hash).some((c) => !fresh.has(`${c.mailbox_id}:${c.uid}`))) return null;
      }
    }
    const keys = new Map<string, { hash: string; date: number }>();
    for (const row of rows) {
      if (!inScope.has(row.mailbox_id)) continue;
      const copy = this.db
        .prepare<[number, number], { body_hash: string; internal_date: number }>(
          'SELECT body_hash, internal_date FROM messages WHERE mailbox_id = ? AND uid = ?',
        )
        .get(row.mailbox_id, row.uid!);
      if (copy === undefined) return null;
      keys.set(`${copy.internal_date}:${copy.body_hash}`, { hash: copy.body_hash, date: copy.internal_date });
    }
    let { total } = base.value;
    let unread = base.value.unread ?? 0;
    for (const { hash, date } of keys.values()) {
      // A body the full-text terms do not match puts none of its copies in the answer.
      if (filter.hashes !== null && !filter.hashes.has(hash)) continue;
      const copies = this.db
        .prepare<unknown[], { mailbox_id: number; uid: number; seen: number }>(
          `SELECT m.mailbox_id, m.uid, m.seen FROM messages m INDEXED BY messages_by_body
           WHERE m.body_hash = ? AND m.internal_date = ? AND m.deleted = 0 AND ${scope.sql} AND ${filter.sql}`,
        )
        .all(hash, date, ...scope.params, ...filter.params);
      const old = copies.filter((c) => !fresh.has(`${c.mailbox_id}:${c.uid}`));
      const allSeen = (list: typeof copies) => list.every((c) => c.seen === 1);
      if (old.length === 0) {
        if (copies.length === 0) continue;
        total += 1;
        if (!allSeen(copies)) unread += 1;
      } else if (allSeen(old) && !allSeen(copies)) {
        unread += 1;
      }
    }
    return { total, unread };
  }

  /**
   * For a search of words only (no field, flag or date terms, nothing negated) that matches more
   * than half of the indexed bodies (a word in every message): the hashes of the bodies it does
   * NOT match, or null when the query is not of that kind. Counting and paging then work from the
   * few bodies left out instead of the many matched: the total is the list's total (cached) less
   * the groups of the left-out bodies, and the page walks the newest-first listing skipping them.
   * Exact only while every stored body is indexed (checked: the backfill may still be running).
   */
  private denseMatch(query: MessageQuery, version: string): string[] | null {
    if (query.terms.length === 0) return null;
    const words: string[] = [];
    for (const term of query.terms) {
      if (term.kind !== 'text' || term.negate || [...term.value].length < 3) return null;
      const phrase = `"${term.value.replace(/"/g, '""')}"`;
      const column = COLUMN[term.field];
      words.push(`${column} : ${phrase}`);
    }
    const expression = words.join(' AND ');
    // Counting the matches reads no row into JavaScript; every body matched leaves none out.
    const matchedCount = this.cached(this.idsCache, expression, version, () =>
      this.db
        .prepare<[string], number>('SELECT count(*) FROM body_search WHERE body_search MATCH ?')
        .pluck()
        .get(expression)!,
    );
    // Both counts are kept by triggers (migration 016): equal when every stored body is indexed.
    const counts = this.db
      .prepare<[], { bodies: number; facts: number }>('SELECT bodies, facts FROM search_epoch WHERE id = 1')
      .get()!;
    if (counts.bodies !== counts.facts) return null;
    if (matchedCount * 2 <= counts.facts) return null;
    if (matchedCount === counts.facts) return [];
    return this.cached(this.unmatchedCache, expression, version, () => {
      const matched = this.db
        .prepare<[string], number>('SELECT rowid FROM body_search WHERE body_search MATCH ?')
        .pluck()
        .all(expression);
      const ids = this.db
        .prepare<[], number>('SELECT id FROM body_facts INDEXED BY body_facts_id_hash')
        .pluck()
        .all();
      const max = ids.reduce((a, b) => (b > a ? b : a), 0);
      const hit = new Uint8Array(max + 1);
      for (const id of matched) if (id <= max) hit[id] = 1;
      const missing = ids.filter((id) => hit[id] === 0);
      if (missing.length === 0) return [];
      return this.db
        .prepare<[string], string>(
          'SELECT hash FROM body_facts INDEXED BY body_facts_id_hash WHERE id IN (SELECT value FROM json_each(?))',
        )
        .pluck()
        .all(JSON.stringify(missing));
    });
  }

  /** A page and totals of a dense search (see denseMatch), from the bodies it leaves out. */
  private searchDense(query: MessageQuery, unmatched: string[], start: number, limit: number): MessagePage {
    const version = this.version();
    const scope = this.scopeOf(query.mailboxIds);
    const skip = unmatched.length > 0 ? ' AND m.body_hash NOT IN (SELECT value FROM json_each(?))' : '';
    const skipParams = unmatched.length > 0 ? [JSON.stringify(unmatched)] : [];
    let totals = { total: -1, unread: -1 };
    if (query.totals !== false) {
      const all = this.allTotals(query.mailboxIds, version);
      const left =
        unmatched.length === 0
          ? { total: 0, unread: 0 }
          : this.db
              .prepare<unknown[], { total: number; unread: number | null }>(
                `SELECT count(*) AS total, sum(seen = 0) AS unread FROM (
                   SELECT min(m.seen) AS seen FROM messages m INDEXED BY messages_by_body
                   WHERE m.body_hash IN (SELECT value FROM json_each(?)) AND m.deleted = 0 AND ${scope.sql}
                   GROUP BY m.body_hash, m.internal_date)`,
              )
              .get(JSON.stringify(unmatched), ...scope.params)!;
      totals = { total: all.total - left.total, unread: (all.unread ?? 0) - (left.unread ?? 0) };
    }
    const page = this.db
      .prepare<unknown[], { body_hash: string; internal_date: number }>(
        `SELECT m.internal_date, m.body_hash FROM messages m INDEXED BY messages_listing
         WHERE m.deleted = 0 AND ${scope.sql}${skip} GROUP BY m.internal_date, m.body_hash
         ORDER BY m.internal_date DESC, m.body_hash DESC LIMIT ? OFFSET ?`,
      )
      .all(...scope.params, ...skipParams, limit, start);
    return { total: totals.total, unread: totals.unread, groups: this.groups(page, query.mailboxIds) };
  }

  /** The group holding the copy (mailboxId, uid), among the same mailboxes a list shows. */
  groupOf(mailboxId: number, uid: number, mailboxIds?: readonly number[]): CaughtGroup | null {
    const row = this.db
      .prepare<[number, number], { body_hash: string; internal_date: number }>(
        'SELECT body_hash, internal_date FROM messages WHERE mailbox_id = ? AND uid = ? AND deleted = 0',
      )
      .get(mailboxId, uid);
    return row === undefined ? null : this.group(row.body_hash, row.internal_date, mailboxIds);
  }

  private group(bodyHash: string, internalDate: number, mailboxIds?: readonly number[]): CaughtGroup {
    const [group] = this.groups([{ body_hash: bodyHash, internal_date: internalDate }], mailboxIds);
    if (group === undefined) throw new StoreError('NOT_FOUND', 'no such message');
    return group;
  }

  /** The groups with these keys, in the order given, read in one query (a page is one round). */
  private groups(
    keys: ReadonlyArray<{ body_hash: string; internal_date: number }>,
    mailboxIds?: readonly number[],
  ): CaughtGroup[] {
    if (keys.length === 0) return [];
    const scope = this.scopeOf(mailboxIds);
    const rows = this.db
      .prepare<unknown[], GroupRow>(
        `SELECT m.body_hash, m.internal_date, max(m.size) AS size,
           json_group_array(json_object('mailboxId', m.mailbox_id, 'uid', m.uid, 'owner', u.address, 'flags', m.flags)) AS copies,
           f.from_json, f.to_json, f.cc_json, f.bcc_json, f.reply_json, f.subject, f.message_id, f.snippet, f.attachments
         FROM messages m INDEXED BY messages_by_body
         JOIN mailboxes mb ON mb.id = m.mailbox_id JOIN users u ON u.id = mb.user_id
         LEFT JOIN body_facts f ON f.hash = m.body_hash
         WHERE (m.body_hash, m.internal_date) IN (VALUES ${keys.map(() => '(?, ?)').join(', ')})
           AND m.deleted = 0 AND ${scope.sql}
         GROUP BY m.body_hash, m.internal_date`,
      )
      .all(...keys.flatMap((key) => [key.body_hash, key.internal_date]), ...scope.params);
    const byKey = new Map(rows.map((row) => [`${row.internal_date}:${row.body_hash}`, row]));
    return keys.flatMap((key) => {
      const row = byKey.get(`${key.internal_date}:${key.body_hash}`);
      if (row === undefined) return [];
      const copies = (JSON.parse(row.copies) as Array<Omit<CaughtCopy, 'flags'> & { flags: string }>)
        .map((copy) => ({ ...copy, flags: copy.flags === '' ? [] : copy.flags.split(' ') }))
        .sort((a, b) => a.mailboxId - b.mailboxId || a.uid - b.uid);
      return [
        {
          bodyHash: row.body_hash,
          internalDate: new Date(row.internal_date),
          size: row.size,
          copies,
          facts: factsOf(row),
        },
      ];
    });
  }

  /**
   * The mailboxes a list covers, as ids (every user's INBOX by default), so the listing index
   * alone answers `mailbox_id IN (...)` without joining mailboxes per copy.
   */
  private scopeOf(mailboxIds: readonly number[] | undefined): { sql: string; params: number[] } {
    const ids =
      mailboxIds ??
      this.db
        .prepare<[], { id: number }>(`SELECT id FROM mailboxes WHERE name = 'INBOX'`)
        .all()
        .map((row) => row.id);
    if (ids.length === 0) return { sql: '0', params: [] };
    return { sql: `m.mailbox_id IN (${ids.map(() => '?').join(', ')})`, params: [...ids] };
  }

  /** Every keyword on a copy in these mailboxes (the catcher's tags), as stored. */
  keywords(mailboxIds?: readonly number[]): string[] {
    const scope = this.scopeOf(mailboxIds);
    if (scope.params.length === 0) return [];
    const rows = this.db
      .prepare<number[], { flags: string }>(
        `SELECT DISTINCT m.flags FROM messages m INDEXED BY messages_keywords
         WHERE m.flags <> '' AND m.flags <> '\\Seen' AND ${scope.sql}`,
      )
      .all(...scope.params);
    const seen = new Map<string, string>();
    for (const { flags } of rows) {
      for (const flag of flags.split(' ')) {
        if (!flag.startsWith('\\') && !seen.has(flag.toLowerCase())) seen.set(flag.toLowerCase(), flag);
      }
    }
    return [...seen.values()].sort((a, b) => a.localeCompare(b));
  }

  /**
   * The WHERE clause of a search, and what a carried count needs of it (`carry`: the clauses that
   * are neither scope nor the full-text match, and the matched bodies; null when a term is
   * answered by a subquery over the index, which is counted afresh).
   */
  private filter(
    query: MessageQuery,
    version: string,
  ): {
    where: string;
    params: unknown[];
    matched: number | null;
    scope: { sql: string; params: number[] };
    carry: CarryFilter | null;
  } {
    const scope = this.scopeOf(query.mailboxIds);
    const clauses = ['m.deleted = 0', scope.sql];
    const params: unknown[] = [...scope.params];
    const rest: string[] = [];
    const restParams: unknown[] = [];
    let carryable = true;
    const match: string[] = [];
    for (const term of query.terms) {
      switch (term.kind) {
        case 'text': {
          const column = COLUMN[term.field];
          // The trigram tokenizer needs 3 characters; shorter text is matched by LIKE (a scan).
          if ([...term.value].length >= 3) {
            const phrase = `"${term.value.replace(/"/g, '""')}"`;
            const expression = `${column} : ${phrase}`;
            if (term.negate) {
              carryable = false;
              clauses.push(
                `m.body_hash NOT IN (SELECT f.hash FROM body_facts f JOIN body_search s ON s.rowid = f.id WHERE body_search MATCH ?)`,
              );
              params.push(expression);
            } else {
              match.push(expression);
            }
          } else {
            carryable = false;
            const columns =
              term.field === 'any' ? ['sender', 'recipients', 'subject', 'body', 'message_id'] : [column];
            const like = `%${term.value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
            clauses.push(
              `m.body_hash ${term.negate ? 'NOT ' : ''}IN (SELECT f.hash FROM body_facts f JOIN body_search s ON s.rowid = f.id WHERE ${columns
                .map((c) => `s.${c} LIKE ? ESCAPE '\\'`)
                .join(' OR ')})`,
            );
            params.push(...columns.map(() => like));
          }
          break;
        }
        case 'read':
          rest.push(`m.seen = ${term.value ? 1 : 0}`);
          break;
        case 'attachment':
          rest.push(
            `${term.negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM body_facts f WHERE f.hash = m.body_hash AND f.attachments > 0)`,
          );
          break;
        case 'tag':
          // flags is space-separated (migration 001); keywords compare case-insensitively (RFC 3501 2.3.2).
          rest.push(`${term.negate ? 'NOT ' : ''}(' ' || lower(m.flags) || ' ') LIKE ? ESCAPE '\\'`);
          restParams.push(`% ${term.value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)} %`);
          break;
        case 'before':
          rest.push('m.internal_date < ?');
          restParams.push(term.date.getTime());
          break;
        case 'after':
          rest.push('m.internal_date >= ?');
          restParams.push(term.date.getTime());
          break;
        case 'larger':
          rest.push('m.size > ?');
          restParams.push(term.bytes);
          break;
        case 'smaller':
          rest.push('m.size < ?');
          restParams.push(term.bytes);
          break;
      }
    }
    clauses.push(...rest);
    params.push(...restParams);
    let matched: Matched | null = null;
    if (match.length > 0) {
      // The full-text match runs once per expression and state of the data, not once per query
      // that uses the filter (the count and the page): its hashes go in as one JSON array.
      matched = this.matches(match.join(' AND '), version);
      clauses.push('m.body_hash IN (SELECT value FROM json_each(?))');
      params.push(matched.json);
    }
    const carry = carryable
      ? {
          sql: rest.length === 0 ? '1' : rest.join(' AND '),
          params: restParams,
          hashes: matched?.hashes ?? null,
        }
      : null;
    return { where: clauses.join(' AND '), params, matched: matched?.count ?? null, scope, carry };
  }

  /**
   * The bodies a full-text expression matches: cached per state of the data; after new mail,
   * what it matched before plus its matches among the bodies indexed since (ids above the largest
   * then, while no index row was forgotten: migration 016), else matched afresh.
   */
  private matches(expression: string, version: string): Matched {
    return this.cached(this.matchCache, expression, version, () => {
      const { factsMax, forgotten } = this.db
        .prepare<[], { factsMax: number; forgotten: number }>(
          `SELECT (SELECT coalesce(max(id), 0) FROM body_facts) AS factsMax,
                  (SELECT forgotten FROM search_epoch WHERE id = 1) AS forgotten`,
        )
        .get()!;
      const base = this.matchBase.get(expression);
      const select = (after: number): string[] =>
        this.db
          .prepare<[string, number], string>(
            `SELECT f.hash FROM body_search s JOIN body_facts f INDEXED BY body_facts_id_hash ON f.id = s.rowid
             WHERE body_search MATCH ? AND s.rowid > ?`,
          )
          .pluck()
          .all(expression, after);
      const list =
        base !== undefined && base.forgotten === forgotten && base.factsMax <= factsMax
          ? base.factsMax === factsMax
            ? base.hashes
            : [...base.hashes, ...select(base.factsMax)]
          : select(0);
      if (this.matchBase.size >= SEARCH_CACHE_ENTRIES) this.matchBase.clear();
      if (list.length <= MAX_CARRIED_MATCH)
        this.matchBase.set(expression, { factsMax, forgotten, hashes: list });
      else this.matchBase.delete(expression);
      return { json: JSON.stringify(list), count: list.length, hashes: new Set(list) };
    });
  }
}

function factsOf(row: GroupRow): BodyFacts | null {
  if (row.from_json === null) return null;
  const parse = JSON.parse as (text: string | null) => never;
  return {
    from: parse(row.from_json),
    to: parse(row.to_json),
    cc: parse(row.cc_json),
    bcc: parse(row.bcc_json),
    replyTo: parse(row.reply_json),
    subject: row.subject ?? '',
    messageId: row.message_id ?? '',
    snippet: row.snippet ?? '',
    attachments: row.attachments ?? 0,
  };
}
