import type { SqliteDatabase } from './db.js';
import type { ChangeLog } from './change-feed.js';
import type { Mailboxes } from './mailboxes.js';
import { parseFlagList } from '../../core/message-flag-list.js';
import { applyFlagMode, decodeFlags, encodeFlags, normalizeFlags, sameFlags } from '../../core/flags.js';
import {
  StoreError,
  type ConditionalFlagResult,
  type CopyResult,
  type FlagMode,
  type MessageFlagList,
  type MessageSummary,
} from '../../core/types.js';

/**
 * One line per message, `uid SP modseq SP flags` (flags space-separated, as stored; atoms never
 * contain a space or a line feed, RFC 3501 9). The subquery's ORDER BY is served by the
 * (mailbox_id, uid) index, so no sort runs; `parseFlagList` still checks the order.
 */
export const FLAG_LIST_SQL = `SELECT group_concat(uid || ' ' || modseq || ' ' || flags, char(10))
  FROM (SELECT uid, modseq, flags FROM messages WHERE mailbox_id = ? ORDER BY uid)`;

interface MessageRow {
  id: number;
  mailbox_id: number;
  uid: number;
  flags: string;
  internal_date: number;
  size: number;
  modseq: number;
  body_hash: string;
  save_date: number;
}

/** RFC 8514: a message saved before schema version 6 has no save date; its internal date stands in. */
const MESSAGE_COLUMNS =
  'id, mailbox_id, uid, flags, internal_date, size, modseq, body_hash, COALESCE(save_date, internal_date) AS save_date';

const toSummary = (row: MessageRow): MessageSummary => ({
  id: row.id,
  mailboxId: row.mailbox_id,
  uid: row.uid,
  flags: decodeFlags(row.flags),
  internalDate: new Date(row.internal_date),
  size: row.size,
  modseq: row.modseq,
  bodyHash: row.body_hash,
  saveDate: new Date(row.save_date),
});

/** The same columns as a tuple: `raw()` mode skips building an object with named keys per row. */
type MessageTuple = [number, number, number, string, number, number, number, string, number];

const tupleToSummary = (row: MessageTuple): MessageSummary => ({
  id: row[0],
  mailboxId: row[1],
  uid: row[2],
  flags: decodeFlags(row[3]),
  internalDate: new Date(row[4]),
  size: row[5],
  modseq: row[6],
  bodyHash: row[7],
  saveDate: new Date(row[8]),
});

/**
 * `getMany` scans the UID range (one statement step per row) when the wanted UIDs fill at least
 * this share of it; sparser sets are looked up one by one through the unique index.
 */
const RANGE_SCAN_MIN_DENSITY = 0.25;

const hasFlag = (flags: readonly string[], flag: string): number => (flags.includes(flag) ? 1 : 0);

/** Messages in mailboxes: UIDs, flags, modseq; every change is appended to the change log. */
export class Messages {
  private readonly listStmt;
  private readonly getStmt;
  private readonly rangeStmt;
  private readonly flagListStmt;
  private readonly insert;
  private readonly updateFlagsMany;
  private readonly rangeRows;
  private readonly deleteStmt;
  private readonly deletedUids;
  private readonly moveStmt;

  constructor(
    db: SqliteDatabase,
    private readonly mailboxes: Mailboxes,
    private readonly changes: ChangeLog,
  ) {
    // One prepared all() over the (mailbox_id, uid) unique index: the SELECT of a 100k mailbox.
    this.listStmt = db
      .prepare<[number], MessageTuple>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? ORDER BY uid`,
      )
      .raw(true);
    this.getStmt = db.prepare<[number, number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? AND uid = ?`,
    );
    this.rangeStmt = db
      .prepare<[number, number, number], MessageTuple>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid`,
      )
      .raw(true);
    // SELECT of a big mailbox: one string for the whole mailbox (see message-flag-list.ts).
    this.flagListStmt = db.prepare<[number], string | null>(FLAG_LIST_SQL).pluck(true);
    this.insert = db.prepare<
      [number, number, string, number, number, string, number, number, number, number],
      { id: number }
    >(
      `INSERT INTO messages (mailbox_id, uid, body_hash, size, internal_date, flags, seen, deleted, modseq, save_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    this.rangeRows = db.prepare<[number, number, number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid`,
    );
    // One STORE's changed rows that end with the same flag list: ids as a JSON array.
    this.updateFlagsMany = db.prepare<[string, number, number, number, string]>(
      'UPDATE messages SET flags = ?, seen = ?, deleted = ?, modseq = ? WHERE id IN (SELECT value FROM json_each(?))',
    );
    this.deleteStmt = db.prepare('DELETE FROM messages WHERE id = ?');
    this.deletedUids = db.prepare<[number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? AND deleted = 1 ORDER BY uid`,
    );
    // RFC 8514: a moved message is saved into its new mailbox now.
    this.moveStmt = db.prepare(
      'UPDATE messages SET mailbox_id = ?, uid = ?, modseq = ?, save_date = ? WHERE id = ?',
    );
  }

  list(mailboxId: number): MessageSummary[] {
    return this.listStmt.all(mailboxId).map(tupleToSummary);
  }

  get(mailboxId: number, uid: number): MessageSummary | null {
    const row = this.getStmt.get(mailboxId, uid);
    return row === undefined ? null : toSummary(row);
  }

  /** The messages with these UIDs in UID order; absent UIDs are skipped. */
  getMany(mailboxId: number, uids: readonly number[]): MessageSummary[] {
    const wanted = uniqueSorted(uids);
    const low = wanted[0];
    const high = wanted[wanted.length - 1];
    if (low === undefined || high === undefined) return [];
    if (wanted.length < (high - low + 1) * RANGE_SCAN_MIN_DENSITY) {
      return wanted.flatMap((uid) => this.get(mailboxId, uid) ?? []);
    }
    const set = new Set(wanted);
    const result: MessageSummary[] = [];
    for (const row of this.rangeStmt.iterate(mailboxId, low, high))
      if (set.has(row[2])) result.push(tupleToSummary(row));
    return result;
  }

  /** UIDs, flags and modseqs in UID order; equal flag lists are decoded once and shared (frozen). */
  listFlags(mailboxId: number): MessageFlagList {
    return parseFlagList(this.flagListStmt.get(mailboxId) ?? null);
  }

  /** Appends one copy with the mailbox's next UID (never MAX(uid)+1, so UIDs are never reused). */
  add(
    mailboxId: number,
    bodyHash: string,
    size: number,
    internalDate: Date,
    flags: readonly string[],
  ): { messageId: number; uid: number; uidValidity: number } {
    const { uid, modseq, uidValidity } = this.mailboxes.nextUid(mailboxId);
    const row = this.insert.get(
      mailboxId,
      uid,
      bodyHash,
      size,
      internalDate.getTime(),
      encodeFlags(flags),
      hasFlag(flags, '\\Seen'),
      hasFlag(flags, '\\Deleted'),
      modseq,
      // RFC 8514: saved now, by delivery, APPEND or COPY.
      Date.now(),
    );
    if (row === undefined) throw new StoreError('TEMPORARY', 'message insert returned no row');
    this.changes.record(mailboxId, 'new', uid, modseq);
    return { messageId: row.id, uid, uidValidity };
  }

  /** RFC 3501 6.4.6 STORE: returns only the messages whose flags actually changed. */
  setFlags(
    mailboxId: number,
    uids: readonly number[],
    mode: FlagMode,
    rawFlags: readonly string[],
  ): MessageSummary[] {
    return this.changeFlags(mailboxId, uids, mode, rawFlags, null).changed;
  }

  /** RFC 7162 3.1.3: STORE (UNCHANGEDSINCE n) - test and change in the caller's one transaction. */
  setFlagsUnchangedSince(
    mailboxId: number,
    uids: readonly number[],
    mode: FlagMode,
    rawFlags: readonly string[],
    unchangedSince: number,
  ): ConditionalFlagResult {
    return this.changeFlags(mailboxId, uids, mode, rawFlags, unchangedSince);
  }

  /**
   * One statement set per STORE (issue 20): the rows in one read (a range scan when the UIDs are
   * dense), ONE mod-sequence for every message the command changes (RFC 7162 3.1 lets one
   * operation give the messages it changes the same mod-sequence; it is still larger than any
   * before it), one UPDATE per distinct resulting flag list (usually one) and one multi-row
   * change-log insert per flag list. Before, each changed message took four statements, and
   * `STORE 1:50000 +FLAGS (\Seen)` spent seconds taking 50,000 mod-sequences.
   */
  private changeFlags(
    mailboxId: number,
    uids: readonly number[],
    mode: FlagMode,
    rawFlags: readonly string[],
    unchangedSince: number | null,
  ): ConditionalFlagResult {
    this.mailboxes.requireSelectable(mailboxId);
    const flags = normalizeFlags(rawFlags);
    const result: ConditionalFlagResult = { changed: [], unchanged: [], modified: [] };
    // Changed rows grouped by their new flag list (encoded): one UPDATE and one log insert each.
    const groups = new Map<string, { after: string[]; ids: number[]; rows: MessageRow[] }>();
    for (const row of this.rowsOf(mailboxId, uids)) {
      if (unchangedSince !== null && row.modseq > unchangedSince) {
        result.modified.push(row.uid);
        continue;
      }
      const before = decodeFlags(row.flags);
      const after = normalizeFlags(applyFlagMode(before, mode, flags));
      if (sameFlags(before, after)) {
        result.unchanged.push(toSummary(row));
        continue;
      }
      const encoded = encodeFlags(after);
      let group = groups.get(encoded);
      if (group === undefined) {
        group = { after, ids: [], rows: [] };
        groups.set(encoded, group);
      }
      group.ids.push(row.id);
      group.rows.push(row);
    }
    if (groups.size === 0) return result;
    const modseq = this.mailboxes.nextModseq(mailboxId);
    const changed: MessageRow[] = [];
    for (const [encoded, group] of groups) {
      const ids = JSON.stringify(group.ids);
      this.updateFlagsMany.run(
        encoded,
        hasFlag(group.after, '\\Seen'),
        hasFlag(group.after, '\\Deleted'),
        modseq,
        ids,
      );
      if (groups.size === 1)
        this.changes.recordFlags(
          mailboxId,
          group.rows.map((row) => row.uid),
          modseq,
          encoded,
        );
      for (const row of group.rows) changed.push({ ...row, flags: encoded, modseq });
    }
    if (groups.size > 1) {
      // Several flag lists (+FLAGS over messages that differed): the log stays in UID order.
      changed.sort((a, b) => a.uid - b.uid);
      for (const row of changed)
        this.changes.record(mailboxId, 'flags', row.uid, modseq, decodeFlags(row.flags));
    }
    result.changed = changed.map(toSummary);
    return result;
  }

  /** The rows of these UIDs in UID order (absent ones skipped), as getMany reads them. */
  private rowsOf(mailboxId: number, uids: readonly number[]): MessageRow[] {
    const wanted = uniqueSorted(uids);
    const low = wanted[0];
    const high = wanted[wanted.length - 1];
    if (low === undefined || high === undefined) return [];
    if (wanted.length < (high - low + 1) * RANGE_SCAN_MIN_DENSITY) {
      return wanted.flatMap((uid) => this.getStmt.get(mailboxId, uid) ?? []);
    }
    const set = new Set(wanted);
    return this.rangeRows.all(mailboxId, low, high).filter((row) => set.has(row.uid));
  }

  /**
   * Removes messages. Without `uids`: every `\Deleted` message (RFC 3501 6.4.3 EXPUNGE). With
   * `uids`: exactly those that exist, flagged or not (POP3 QUIT in UPDATE state, RFC 1939 6;
   * IMAP UID EXPUNGE must pass only `\Deleted` UIDs). Returns the removed UIDs in order.
   */
  expunge(mailboxId: number, uids?: readonly number[]): number[] {
    this.mailboxes.requireSelectable(mailboxId);
    const rows =
      uids === undefined
        ? this.deletedUids.all(mailboxId)
        : uniqueSorted(uids).flatMap((uid) => this.getStmt.get(mailboxId, uid) ?? []);
    for (const row of rows) {
      this.deleteStmt.run(row.id);
      this.changes.record(mailboxId, 'expunge', row.uid, this.mailboxes.nextModseq(mailboxId));
    }
    return rows.map((row) => row.uid);
  }

  /** RFC 3501 6.4.7 COPY with RFC 4315 COPYUID data; copies share the body (one more reference). */
  copy(fromMailboxId: number, uids: readonly number[], toMailboxId: number): CopyResult {
    this.mailboxes.requireSelectable(fromMailboxId);
    const target = this.mailboxes.requireSelectable(toMailboxId);
    const result: CopyResult = { uidValidity: target.uidValidity, sourceUids: [], targetUids: [] };
    for (const uid of uniqueSorted(uids)) {
      const row = this.getStmt.get(fromMailboxId, uid);
      if (row === undefined) continue;
      const flags = decodeFlags(row.flags);
      const copy = this.add(toMailboxId, row.body_hash, row.size, new Date(row.internal_date), flags);
      result.sourceUids.push(uid);
      result.targetUids.push(copy.uid);
    }
    return result;
  }

  /** RFC 6851 MOVE: the same message row changes mailbox and gets the target's next UID. */
  move(fromMailboxId: number, uids: readonly number[], toMailboxId: number): CopyResult {
    this.mailboxes.requireSelectable(fromMailboxId);
    const target = this.mailboxes.requireSelectable(toMailboxId);
    if (fromMailboxId === toMailboxId)
      throw new StoreError('INVALID', 'cannot move messages into the same mailbox');
    const result: CopyResult = { uidValidity: target.uidValidity, sourceUids: [], targetUids: [] };
    for (const uid of uniqueSorted(uids)) {
      const row = this.getStmt.get(fromMailboxId, uid);
      if (row === undefined) continue;
      const next = this.mailboxes.nextUid(toMailboxId);
      this.moveStmt.run(toMailboxId, next.uid, next.modseq, Date.now(), row.id);
      this.changes.record(fromMailboxId, 'expunge', uid, this.mailboxes.nextModseq(fromMailboxId));
      this.changes.record(toMailboxId, 'new', next.uid, next.modseq);
      result.sourceUids.push(uid);
      result.targetUids.push(next.uid);
    }
    return result;
  }
}

function uniqueSorted(uids: readonly number[]): number[] {
  return [...new Set(uids)].sort((a, b) => a - b);
}
