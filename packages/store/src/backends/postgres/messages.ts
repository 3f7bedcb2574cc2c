import { applyFlagMode, decodeFlags, encodeFlags, normalizeFlags, sameFlags } from '../../core/flags.js';
import { parseFlagList } from '../../core/message-flag-list.js';
import {
  StoreError,
  type ConditionalFlagResult,
  type CopyResult,
  type FlagMode,
  type MessageFlagList,
  type MessageSummary,
} from '../../core/types.js';
import type { Queryable } from './connection.js';
import { nextModseq, nextUid, requireSelectable } from './mailboxes.js';
import type { Tx } from './write-queue.js';

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

/** RFC 8514: a message saved before schema version 3 has no save date; its internal date stands in. */
const COLUMNS =
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
  saveDate: new Date(Number(row.save_date)),
});

const hasFlag = (flags: readonly string[], flag: string): number => (flags.includes(flag) ? 1 : 0);

function uniqueSorted(uids: readonly number[]): number[] {
  return [...new Set(uids)].sort((a, b) => a - b);
}

// ---- reads ---------------------------------------------------------------------------------

export async function listMessages(db: Queryable, mailboxId: number): Promise<MessageSummary[]> {
  return (
    await db.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE mailbox_id = $1 ORDER BY uid`, [
      mailboxId,
    ])
  ).rows.map(toSummary);
}

export async function getMessage(
  db: Queryable,
  mailboxId: number,
  uid: number,
): Promise<MessageSummary | null> {
  const row = (
    await db.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE mailbox_id = $1 AND uid = $2`, [
      mailboxId,
      uid,
    ])
  ).rows[0];
  return row === undefined ? null : toSummary(row);
}

/** The messages with these UIDs in UID order (one statement over the unique index); absent UIDs are skipped. */
export async function getMessages(
  db: Queryable,
  mailboxId: number,
  uids: readonly number[],
): Promise<MessageSummary[]> {
  const wanted = uniqueSorted(uids);
  if (wanted.length === 0) return [];
  return (
    await db.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) ORDER BY uid`,
      [mailboxId, wanted],
    )
  ).rows.map(toSummary);
}

/** UIDs, flags and modseqs as one aggregated string, as the SQLite backend (core/message-flag-list.ts). */
export async function listMessageFlags(db: Queryable, mailboxId: number): Promise<MessageFlagList> {
  const row = (
    await db.query<{ list: string | null }>(
      `SELECT string_agg(uid || ' ' || modseq || ' ' || flags, E'\\n' ORDER BY uid) AS list
       FROM messages WHERE mailbox_id = $1`,
      [mailboxId],
    )
  ).rows[0];
  return parseFlagList(row?.list ?? null);
}

// ---- writes ----------------------------------------------------------------------------------

/** Appends one copy with the mailbox's next UID (never MAX(uid)+1, so UIDs are never reused). */
export async function addMessage(
  tx: Tx,
  mailboxId: number,
  bodyHash: string,
  size: number,
  internalDate: number,
  flags: readonly string[],
): Promise<{ messageId: number; uid: number; uidValidity: number }> {
  const { uid, modseq, uidValidity } = await nextUid(tx, mailboxId);
  const row = (
    await tx.query<{ id: number }>(
      `INSERT INTO messages (mailbox_id, uid, body_hash, size, internal_date, flags, seen, deleted, modseq, save_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        mailboxId,
        uid,
        bodyHash,
        size,
        internalDate,
        encodeFlags(flags),
        hasFlag(flags, '\\Seen'),
        hasFlag(flags, '\\Deleted'),
        modseq,
        // RFC 8514: saved now, by delivery, APPEND or COPY.
        Date.now(),
      ],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('TEMPORARY', 'message insert returned no row');
  tx.record(mailboxId, 'new', uid, modseq);
  return { messageId: row.id, uid, uidValidity };
}

/** The rows of these UIDs, locked for this transaction (another node's STORE waits its turn). */
async function lockedRows(tx: Tx, mailboxId: number, uids: readonly number[]): Promise<MessageRow[]> {
  const wanted = uniqueSorted(uids);
  if (wanted.length === 0) return [];
  return (
    await tx.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) ORDER BY uid FOR UPDATE`,
      [mailboxId, wanted],
    )
  ).rows;
}

/**
 * RFC 3501 6.4.6 STORE, and RFC 7162 3.1.3 UNCHANGEDSINCE when `unchangedSince` is not null. As
 * the SQLite backend: one statement set per command (the locked rows in one read, ONE
 * mod-sequence for every message the command changes, RFC 7162 3.1; one UPDATE per distinct
 * resulting flag list; the change rows go into the batch's one multi-row insert).
 */
export async function changeFlags(
  tx: Tx,
  mailboxId: number,
  uids: readonly number[],
  mode: FlagMode,
  rawFlags: readonly string[],
  unchangedSince: number | null,
): Promise<ConditionalFlagResult> {
  await requireSelectable(tx, mailboxId);
  const flags = normalizeFlags(rawFlags);
  const result: ConditionalFlagResult = { changed: [], unchanged: [], modified: [] };
  const changed: Array<{ row: MessageRow; after: string[]; encoded: string }> = [];
  for (const row of await lockedRows(tx, mailboxId, uids)) {
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
    changed.push({ row, after, encoded: encodeFlags(after) });
  }
  if (changed.length === 0) return result;
  const modseq = await nextModseq(tx, mailboxId);
  const groups = new Map<string, { after: string[]; ids: number[] }>();
  for (const { row, after, encoded } of changed) {
    let group = groups.get(encoded);
    if (group === undefined) {
      group = { after, ids: [] };
      groups.set(encoded, group);
    }
    group.ids.push(row.id);
  }
  for (const [encoded, group] of groups) {
    await tx.query(
      'UPDATE messages SET flags = $1, seen = $2, deleted = $3, modseq = $4 WHERE id = ANY($5::bigint[])',
      [encoded, hasFlag(group.after, '\\Seen'), hasFlag(group.after, '\\Deleted'), modseq, group.ids],
    );
  }
  for (const { row, after, encoded } of changed) {
    tx.record(mailboxId, 'flags', row.uid, modseq, after);
    result.changed.push(toSummary({ ...row, flags: encoded, modseq }));
  }
  return result;
}

/** As the SQLite backend: all `\Deleted` without `uids`, exactly the existing given UIDs with them. */
export async function expunge(
  tx: Tx,
  mailboxId: number,
  uids: readonly number[] | undefined,
): Promise<number[]> {
  await requireSelectable(tx, mailboxId);
  const rows =
    uids === undefined
      ? (
          await tx.query<MessageRow>(
            `SELECT ${COLUMNS} FROM messages WHERE mailbox_id = $1 AND deleted = 1 ORDER BY uid FOR UPDATE`,
            [mailboxId],
          )
        ).rows
      : await lockedRows(tx, mailboxId, uids);
  if (rows.length === 0) return [];
  await tx.query('DELETE FROM messages WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
  for (const row of rows) tx.record(mailboxId, 'expunge', row.uid, await nextModseq(tx, mailboxId));
  return rows.map((row) => row.uid);
}

/** RFC 3501 6.4.7 COPY with RFC 4315 COPYUID data; copies share the body (one more reference). */
export async function copyMessages(
  tx: Tx,
  fromMailboxId: number,
  uids: readonly number[],
  toMailboxId: number,
): Promise<CopyResult> {
  await requireSelectable(tx, fromMailboxId);
  const target = await requireSelectable(tx, toMailboxId);
  const result: CopyResult = { uidValidity: target.uidValidity, sourceUids: [], targetUids: [] };
  for (const row of await lockedRows(tx, fromMailboxId, uids)) {
    const copy = await addMessage(
      tx,
      toMailboxId,
      row.body_hash,
      row.size,
      row.internal_date,
      decodeFlags(row.flags),
    );
    result.sourceUids.push(row.uid);
    result.targetUids.push(copy.uid);
  }
  return result;
}

/** RFC 6851 MOVE: the same message row changes mailbox and gets the target's next UID. */
export async function moveMessages(
  tx: Tx,
  fromMailboxId: number,
  uids: readonly number[],
  toMailboxId: number,
): Promise<CopyResult> {
  await requireSelectable(tx, fromMailboxId);
  const target = await requireSelectable(tx, toMailboxId);
  if (fromMailboxId === toMailboxId)
    throw new StoreError('INVALID', 'cannot move messages into the same mailbox');
  const result: CopyResult = { uidValidity: target.uidValidity, sourceUids: [], targetUids: [] };
  for (const row of await lockedRows(tx, fromMailboxId, uids)) {
    const next = await nextUid(tx, toMailboxId);
    // RFC 8514: a moved message is saved into its new mailbox now.
    await tx.query(
      'UPDATE messages SET mailbox_id = $1, uid = $2, modseq = $3, save_date = $4 WHERE id = $5',
      [toMailboxId, next.uid, next.modseq, Date.now(), row.id],
    );
    tx.record(fromMailboxId, 'expunge', row.uid, await nextModseq(tx, fromMailboxId));
    tx.record(toMailboxId, 'new', next.uid, next.modseq);
    result.sourceUids.push(row.uid);
    result.targetUids.push(next.uid);
  }
  return result;
}
