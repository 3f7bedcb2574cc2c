import { MAX_PAGE_SIZE, MAX_QUERY_TERMS } from '../../core/limits.js';
import { MAX_WHOLLY_INDEXED_SIZE, searchColumns } from '../../core/search-text.js';
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
import { StoreError } from '../../core/types.js';
import type { Queryable } from './connection.js';

/**
 * The mail catcher's search index and grouped list on PostgreSQL (migration 003): the same API and
 * the same answers as the SQLite backend's FTS5 index (backends/sqlite/search-index.ts). Text terms
 * are case-insensitive substrings (IMAP SEARCH semantics), `LIKE '%term%'` over text the store
 * lower-cased, answered from pg_trgm GIN indexes.
 */

/** Column of body_facts for each text field ('any' searches every column). */
const COLUMN: Record<Extract<SearchTerm, { kind: 'text' }>['field'], string | null> = {
  any: null,
  from: 's_sender',
  to: 's_recipients',
  subject: 's_subject',
  'message-id': 's_message_id',
};
const ALL_COLUMNS = ['s_sender', 's_recipients', 's_subject', 's_body', 's_message_id'];

/** PostgreSQL text cannot hold NUL; the index never needs it. Lower case: see the module comment. */
const fold = (text: string): string => text.replace(/\0/g, '').toLowerCase();
const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Indexes a body once (a body already indexed, or gone, is left alone); true if a row was added.
 * Called in the delivery's transaction, or by the backfill (indexMissingBodies).
 */
export async function indexBody(db: Queryable, hash: string, body: IndexedBody): Promise<boolean> {
  // JSON.stringify writes a NUL as the escape \u0000, never as the byte.
  const json = (value: unknown): string => JSON.stringify(value);
  const clean = (text: string): string => text.replace(/\0/g, '');
  const columns = searchColumns(body);
  const result = await db.query(
    `INSERT INTO body_facts (hash, from_json, to_json, cc_json, bcc_json, reply_json, subject, message_id,
       snippet, attachments, s_sender, s_recipients, s_subject, s_body, s_message_id, s_headers)
     SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text,
       $10::integer, $11::text, $12::text, $13::text, $14::text, $15::text, $16::text
     WHERE EXISTS (SELECT 1 FROM bodies WHERE hash = $1::text)
     ON CONFLICT (hash) DO NOTHING`,
    [
      hash,
      json(body.from),
      json(body.to),
      json(body.cc),
      json(body.bcc),
      json(body.replyTo),
      clean(body.subject),
      clean(body.messageId),
      clean(body.snippet),
      body.attachments,
      fold(columns.sender),
      fold(columns.recipients),
      fold(columns.subject),
      fold(columns.body),
      fold(columns.messageId),
      columns.headers === null ? null : fold(columns.headers),
    ],
  );
  return result.rowCount === 1;
}

/** Hashes of bodies without a search entry, after `after` in hash order (the backfill's cursor). */
export async function unindexedBodies(db: Queryable, after: string, limit: number): Promise<string[]> {
  const rows = await db.query<{ hash: string }>(
    `SELECT b.hash FROM bodies b WHERE b.hash COLLATE "C" > $1
       AND NOT EXISTS (SELECT 1 FROM body_facts f WHERE f.hash = b.hash)
     ORDER BY b.hash COLLATE "C" LIMIT $2`,
    [after, limit],
  );
  return rows.rows.map((row) => row.hash);
}

/**
 * IMAP SEARCH BODY and TEXT (docs/adr/0036): the UIDs of the mailbox whose indexed body text (and
 * for TEXT header block) contains `term` (s_body and s_headers are lower-cased by toLowerCase,
 * as IMAP compares), and those the index
 * cannot speak for; null when it cannot answer for the term: a NUL (dropped from the index,
 * which moves text together) or a sigma (whose lower case depends on the letters around it, and
 * so on a dropped NUL). Any length works: short terms only miss the trigram index.
 */
export async function textMatch(
  db: Queryable,
  mailboxId: number,
  term: string,
  scope: 'body' | 'text',
): Promise<IndexedTextMatch | null> {
  const lower = term.toLowerCase();
  if (lower === '' || /[\0\u03c2\u03c3]/.test(lower)) return null;
  const matched = await db.query<{ uid: string }>(
    `SELECT m.uid FROM messages m JOIN body_facts f ON f.hash = m.body_hash
     WHERE m.mailbox_id = $1 AND (f.s_body LIKE $2${scope === 'text' ? ' OR f.s_headers LIKE $2' : ''})
     ORDER BY m.uid`,
    [mailboxId, `%${likeEscape(lower)}%`],
  );
  const unindexed = await db.query<{ uid: string }>(
    `SELECT m.uid FROM messages m WHERE m.mailbox_id = $1
       AND (m.size >= $2 OR NOT EXISTS (SELECT 1 FROM body_facts f WHERE f.hash = m.body_hash${
         scope === 'text' ? ' AND f.s_headers IS NOT NULL' : ''
       }))
     ORDER BY m.uid`,
    [mailboxId, MAX_WHOLLY_INDEXED_SIZE],
  );
  return {
    matched: matched.rows.map((row) => Number(row.uid)),
    unindexed: unindexed.rows.map((row) => Number(row.uid)),
  };
}

/** Up to `limit` distinct hashes of the mailbox's bodies without an index entry (lazy indexing). */
export async function unindexedIn(db: Queryable, mailboxId: number, limit: number): Promise<string[]> {
  const rows = await db.query<{ body_hash: string }>(
    `SELECT DISTINCT m.body_hash FROM messages m WHERE m.mailbox_id = $1
       AND NOT EXISTS (SELECT 1 FROM body_facts f WHERE f.hash = m.body_hash)
     LIMIT $2`,
    [mailboxId, limit],
  );
  return rows.rows.map((row) => row.body_hash);
}

interface GroupRow {
  body_hash: string;
  internal_date: number;
  size: number;
  copies: Array<Omit<CaughtCopy, 'flags'> & { flags: string }>;
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

/** Builds SQL with numbered parameters. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The mailboxes a list covers: these ids, or every user's INBOX. */
function scopeSql(params: Params, mailboxIds: readonly number[] | undefined): string {
  if (mailboxIds === undefined) return `m.mailbox_id IN (SELECT id FROM mailboxes WHERE name = 'INBOX')`;
  return `m.mailbox_id = ANY(${params.add([...mailboxIds])}::bigint[])`;
}

/** The LIKE test of one text term on body_facts `f` (any of its columns). */
function textMatchSql(params: Params, term: Extract<SearchTerm, { kind: 'text' }>): string {
  const column = COLUMN[term.field];
  const pattern = params.add(`%${likeEscape(fold(term.value))}%`);
  const columns = column === null ? ALL_COLUMNS : [column];
  return `(${columns.map((c) => `f.${c} LIKE ${pattern}`).join(' OR ')})`;
}

/**
 * Most matched bodies passed to the list queries as one array parameter; a term matching more
 * (a word in nearly every message) is joined in SQL instead of sent back and forth.
 */
const MAX_MATCHED_ARRAY = 20_000;

/**
 * The bodies every positive text term matches, read once per search from the trigram indexes
 * (a bitmap OR over the columns), or null when the query has no positive text term. Before, each
 * copy's body was tested by its own EXISTS: the planner looped over every copy in scope (100,000
 * copies: ~0.5 s) and did so again for the page.
 */
async function matchedBodies(
  db: Queryable,
  query: MessageQuery,
): Promise<{ hashes: string[] | 'many' | null; snapshot: string | null }> {
  const positive = query.terms.filter(
    (term): term is Extract<SearchTerm, { kind: 'text' }> => term.kind === 'text' && !term.negate,
  );
  if (positive.length === 0) return { hashes: null, snapshot: null };
  const params = new Params();
  const where = positive.map((term) => textMatchSql(params, term)).join(' AND ');
  const row = (
    await db.query<{ hashes: string[]; snapshot: string }>(
      `SELECT pg_current_snapshot()::text AS snapshot,
         ARRAY(SELECT f.hash FROM body_facts f WHERE ${where} LIMIT ${MAX_MATCHED_ARRAY + 1}) AS hashes`,
      params.values,
    )
  ).rows[0]!;
  return { hashes: row.hashes.length > MAX_MATCHED_ARRAY ? 'many' : row.hashes, snapshot: row.snapshot };
}

/** Totals remembered per search, at most this many per pool (node). */
const TOTALS_CACHE_ENTRIES = 64;

/**
 * A search's totals and the database snapshot they were counted in, per pool. Within a statement
 * `pg_current_snapshot()` is that statement's snapshot, and two equal snapshots (xmin, xmax and
 * the transactions in progress) see exactly the same committed transactions, so totals counted
 * in one are the totals in the other: paging a search and polling it again while nothing was
 * committed cost one snapshot read instead of counting every group. Any commit anywhere in the
 * cluster moves the snapshot and the next request counts afresh (nothing is carried here).
 */
const totalsCaches = new WeakMap<
  Queryable,
  Map<string, { snapshot: string; total: number; unread: number }>
>();

function totalsCacheOf(db: Queryable): Map<string, { snapshot: string; total: number; unread: number }> {
  let cache = totalsCaches.get(db);
  if (cache === undefined) {
    cache = new Map();
    totalsCaches.set(db, cache);
  }
  return cache;
}

function filterSql(params: Params, query: MessageQuery, matched: string[] | 'many' | null): string {
  const clauses = ['m.deleted = 0', scopeSql(params, query.mailboxIds)];
  if (Array.isArray(matched)) clauses.push(`m.body_hash = ANY(${params.add(matched)}::text[])`);
  for (const term of query.terms) {
    switch (term.kind) {
      case 'text': {
        // Positive terms: the matched bodies above, unless there were too many to pass.
        if (!term.negate && matched !== 'many') break;
        clauses.push(
          `${term.negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM body_facts f WHERE f.hash = m.body_hash AND ${textMatchSql(params, term)})`,
        );
        break;
      }
      case 'read':
        clauses.push(`m.seen = ${term.value ? 1 : 0}`);
        break;
      case 'attachment':
        clauses.push(
          `${term.negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM body_facts f WHERE f.hash = m.body_hash AND f.attachments > 0)`,
        );
        break;
      case 'tag':
        // flags is space-separated (migration 001); keywords compare case-insensitively (RFC 3501 2.3.2).
        clauses.push(
          `${term.negate ? 'NOT ' : ''}((' ' || lower(m.flags) || ' ') LIKE ${params.add(`% ${likeEscape(term.value.toLowerCase())} %`)})`,
        );
        break;
      case 'before':
        clauses.push(`m.internal_date < ${params.add(term.date.getTime())}`);
        break;
      case 'after':
        clauses.push(`m.internal_date >= ${params.add(term.date.getTime())}`);
        break;
      case 'larger':
        clauses.push(`m.size > ${params.add(term.bytes)}`);
        break;
      case 'smaller':
        clauses.push(`m.size < ${params.add(term.bytes)}`);
        break;
    }
  }
  return clauses.join(' AND ');
}

/** One page of the groups matching the query, newest first, with the true totals. */
export async function searchMessages(db: Queryable, query: MessageQuery): Promise<MessagePage> {
  if (query.terms.length > MAX_QUERY_TERMS) {
    throw new StoreError('INVALID', `a search may have at most ${MAX_QUERY_TERMS} terms`);
  }
  const limit = Math.min(Math.max(query.limit, 0), MAX_PAGE_SIZE);
  const start = Math.max(query.start, 0);
  const cache = totalsCacheOf(db);
  const key = JSON.stringify([query.terms, query.mailboxIds ?? null]);
  const known = query.totals === false ? undefined : cache.get(key);
  const [{ hashes: matched, snapshot: matchedAt }, now] = await Promise.all([
    matchedBodies(db, query),
    known === undefined
      ? null
      : db
          .query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot')
          .then((result) => result.rows[0]!.snapshot),
  ]);
  if (Array.isArray(matched) && matched.length === 0) {
    return { total: query.totals === false ? -1 : 0, unread: query.totals === false ? -1 : 0, groups: [] };
  }
  const params = new Params();
  const grouped = `SELECT m.internal_date, m.body_hash, min(m.seen) AS seen FROM messages m
    WHERE ${filterSql(params, query, matched)} GROUP BY m.internal_date, m.body_hash`;
  const count = async (): Promise<{ total: number; unread: number }> => {
    const row = (
      await db.query<{ total: number; unread: number; snapshot: string }>(
        `SELECT count(*) AS total, count(*) FILTER (WHERE seen = 0) AS unread,
           pg_current_snapshot()::text AS snapshot FROM (${grouped}) g`,
        params.values,
      )
    ).rows[0]!;
    // Remembered only when the matched bodies were read in the same snapshot as the count.
    if (matchedAt === null || matchedAt === row.snapshot) {
      if (cache.size >= TOTALS_CACHE_ENTRIES) cache.clear();
      cache.set(key, { snapshot: row.snapshot, total: row.total, unread: row.unread });
    }
    return { total: row.total, unread: row.unread };
  };
  // The count and the page are independent reads: on two pooled connections at once.
  const [totals, page] = await Promise.all([
    query.totals === false
      ? { total: -1, unread: -1 }
      : known !== undefined && known.snapshot === now
        ? { total: known.total, unread: known.unread }
        : count(),
    db.query<{ body_hash: string; internal_date: number }>(
      `${grouped} ORDER BY m.internal_date DESC, m.body_hash COLLATE "C" DESC
       LIMIT ${Number(limit)} OFFSET ${Number(start)}`,
      params.values,
    ),
  ]);
  return {
    total: totals.total,
    unread: totals.unread,
    groups: await groups(db, page.rows, query.mailboxIds),
  };
}

/** The group holding the copy (mailboxId, uid), among the same mailboxes a list shows. */
export async function caughtGroup(
  db: Queryable,
  mailboxId: number,
  uid: number,
  mailboxIds?: readonly number[],
): Promise<CaughtGroup | null> {
  const row = (
    await db.query<{ body_hash: string; internal_date: number }>(
      'SELECT body_hash, internal_date FROM messages WHERE mailbox_id = $1 AND uid = $2 AND deleted = 0',
      [mailboxId, uid],
    )
  ).rows[0];
  if (row === undefined) return null;
  const [group] = await groups(db, [row], mailboxIds);
  if (group === undefined) throw new StoreError('NOT_FOUND', 'no such message');
  return group;
}

/** Every keyword on a copy in these mailboxes (the catcher's tags), as stored, sorted. */
export async function catcherKeywords(db: Queryable, mailboxIds?: readonly number[]): Promise<string[]> {
  const params = new Params();
  const scope = scopeSql(params, mailboxIds);
  const rows = await db.query<{ flags: string }>(
    `SELECT DISTINCT m.flags FROM messages m
     WHERE m.flags <> '' AND m.flags <> ${params.add('\\Seen')} AND ${scope}`,
    params.values,
  );
  const seen = new Map<string, string>();
  for (const { flags } of rows.rows) {
    for (const flag of flags.split(' ')) {
      if (!flag.startsWith('\\') && !seen.has(flag.toLowerCase())) seen.set(flag.toLowerCase(), flag);
    }
  }
  return [...seen.values()].sort((a, b) => a.localeCompare(b));
}

/** The groups with these keys, in the order given, read in one query. */
async function groups(
  db: Queryable,
  keys: ReadonlyArray<{ body_hash: string; internal_date: number }>,
  mailboxIds?: readonly number[],
): Promise<CaughtGroup[]> {
  if (keys.length === 0) return [];
  const params = new Params();
  const hashes = params.add(keys.map((k) => k.body_hash));
  const dates = params.add(keys.map((k) => k.internal_date));
  const scope = scopeSql(params, mailboxIds);
  const rows = await db.query<GroupRow>(
    `SELECT m.body_hash, m.internal_date, max(m.size) AS size,
       json_agg(json_build_object('mailboxId', m.mailbox_id, 'uid', m.uid, 'owner', u.address, 'flags', m.flags)) AS copies,
       f.from_json, f.to_json, f.cc_json, f.bcc_json, f.reply_json, f.subject, f.message_id, f.snippet, f.attachments
     FROM messages m
     JOIN mailboxes mb ON mb.id = m.mailbox_id JOIN users u ON u.id = mb.user_id
     LEFT JOIN body_facts f ON f.hash = m.body_hash
     WHERE (m.body_hash, m.internal_date) IN (SELECT * FROM unnest(${hashes}::text[], ${dates}::bigint[]))
       AND m.deleted = 0 AND ${scope}
     GROUP BY m.body_hash, m.internal_date, f.hash`,
    params.values,
  );
  const byKey = new Map(rows.rows.map((row) => [`${row.internal_date}:${row.body_hash}`, row]));
  return keys.flatMap((key) => {
    const row = byKey.get(`${key.internal_date}:${key.body_hash}`);
    if (row === undefined) return [];
    const copies = row.copies
      .map((copy) => ({
        mailboxId: Number(copy.mailboxId),
        uid: Number(copy.uid),
        owner: copy.owner,
        flags: copy.flags === '' ? [] : copy.flags.split(' '),
      }))
      .sort((a, b) => a.mailboxId - b.mailboxId || a.uid - b.uid);
    return [
      {
        bodyHash: row.body_hash,
        internalDate: new Date(Number(row.internal_date)),
        size: Number(row.size),
        copies,
        facts: factsOf(row),
      },
    ];
  });
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
