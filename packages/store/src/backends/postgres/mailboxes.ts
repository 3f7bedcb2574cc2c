import { isInbox, normalizeMailboxName, parentNames } from '../../core/mailbox-names.js';
import { nextUidValidity } from '../../core/uid-validity.js';
import {
  DEFAULT_MAILBOXES,
  MAILBOX_SEPARATOR,
  StoreError,
  type Mailbox,
  type MailboxStatus,
  type SpecialUse,
} from '../../core/types.js';
import type { Queryable } from './connection.js';
import type { Tx } from './write-queue.js';

interface MailboxRow {
  id: number;
  user_id: number;
  name: string;
  special_use: string | null;
  subscribed: number;
  noselect: number;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
}

/** The mailbox row alone, never its message counts (see the SQLite backend's mailboxes.ts). */
const COLUMNS =
  'id, user_id, name, special_use, ' +
  '(EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = mailboxes.user_id AND s.name = mailboxes.name))::int AS subscribed, ' +
  'noselect, uid_validity, uid_next, highest_modseq';

function toMailbox(row: MailboxRow): Mailbox {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    specialUse: row.special_use as SpecialUse | null,
    subscribed: row.subscribed === 1,
    noselect: row.noselect === 1,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next,
    highestModseq: row.highest_modseq,
  };
}

function selectable(mailbox: Mailbox): Mailbox {
  if (mailbox.noselect)
    throw new StoreError('INVALID', `mailbox ${JSON.stringify(mailbox.name)} cannot hold messages`);
  return mailbox;
}

async function byName(db: Queryable, userId: number, name: string): Promise<MailboxRow | undefined> {
  return (
    await db.query<MailboxRow>(`SELECT ${COLUMNS} FROM mailboxes WHERE user_id = $1 AND name = $2`, [
      userId,
      name,
    ])
  ).rows[0];
}

// ---- reads ---------------------------------------------------------------------------------

export async function listMailboxes(db: Queryable, userId: number): Promise<Mailbox[]> {
  return (
    await db.query<MailboxRow>(
      `SELECT ${COLUMNS} FROM mailboxes WHERE user_id = $1 ORDER BY name COLLATE "C"`,
      [userId],
    )
  ).rows.map(toMailbox);
}

export async function getMailbox(db: Queryable, userId: number, name: string): Promise<Mailbox | null> {
  const row = await byName(db, userId, normalizeMailboxName(name));
  return row === undefined ? null : toMailbox(row);
}

export async function getMailboxById(db: Queryable, mailboxId: number): Promise<Mailbox | null> {
  const row = (await db.query<MailboxRow>(`SELECT ${COLUMNS} FROM mailboxes WHERE id = $1`, [mailboxId]))
    .rows[0];
  return row === undefined ? null : toMailbox(row);
}

/** RFC 3501 6.3.10 STATUS in one statement. */
export async function mailboxStatus(db: Queryable, mailboxId: number): Promise<MailboxStatus> {
  const row = (
    await db.query<{
      uid_next: number;
      uid_validity: number;
      highest_modseq: number;
      messages: number;
      unseen: number;
      size: number;
      deleted: number;
      deleted_size: number;
    }>(
      `SELECT uid_next, uid_validity, highest_modseq,
         (SELECT COUNT(*) FROM messages WHERE mailbox_id = $1) AS messages,
         (SELECT COUNT(*) FROM messages WHERE mailbox_id = $1 AND seen = 0) AS unseen,
         (SELECT COALESCE(SUM(size), 0) FROM messages WHERE mailbox_id = $1) AS size,
         (SELECT COUNT(*) FROM messages WHERE mailbox_id = $1 AND deleted = 1) AS deleted,
         (SELECT COALESCE(SUM(size), 0) FROM messages WHERE mailbox_id = $1 AND deleted = 1) AS deleted_size
       FROM mailboxes WHERE id = $1`,
      [mailboxId],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
  return {
    messages: row.messages,
    unseen: row.unseen,
    uidNext: row.uid_next,
    uidValidity: row.uid_validity,
    highestModseq: row.highest_modseq,
    size: row.size,
    deleted: row.deleted,
    deletedSize: row.deleted_size,
  };
}

export async function requireMailbox(db: Queryable, userId: number, name: string): Promise<Mailbox> {
  const row = await byName(db, userId, normalizeMailboxName(name));
  if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox named ${JSON.stringify(name)}`);
  return toMailbox(row);
}

export async function requireMailboxById(db: Queryable, mailboxId: number): Promise<Mailbox> {
  const mailbox = await getMailboxById(db, mailboxId);
  if (mailbox === null) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
  return mailbox;
}

/** A mailbox messages can be put into: exists and is not \Noselect. */
export async function requireSelectable(db: Queryable, mailboxId: number): Promise<Mailbox> {
  return selectable(await requireMailboxById(db, mailboxId));
}

export async function requireSelectableNamed(db: Queryable, userId: number, name: string): Promise<Mailbox> {
  return selectable(await requireMailbox(db, userId, name));
}

// ---- counters (inside a write transaction) ----------------------------------------------------

/**
 * Reserves the next UID and modseq of a mailbox (RFC 3501 2.3.1.1: UIDs only grow). The UPDATE
 * takes the mailbox row's lock until COMMIT, so writers on every node allocate one after another:
 * never a duplicate, never a reuse, never backwards (a rolled-back UID is simply skipped).
 */
export async function nextUid(
  db: Queryable,
  mailboxId: number,
): Promise<{ uid: number; modseq: number; uidValidity: number }> {
  const row = (
    await db.query<{ uid: number; modseq: number; uid_validity: number }>(
      `UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
       WHERE id = $1 RETURNING uid_next - 1 AS uid, highest_modseq AS modseq, uid_validity`,
      [mailboxId],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
  return { uid: row.uid, modseq: row.modseq, uidValidity: row.uid_validity };
}

/** RFC 7162 3.1: every change to a mailbox gets a new, larger mod-sequence (same row lock). */
export async function nextModseq(db: Queryable, mailboxId: number): Promise<number> {
  const row = (
    await db.query<{ modseq: number }>(
      'UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = $1 RETURNING highest_modseq AS modseq',
      [mailboxId],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
  return row.modseq;
}

/** The next UIDVALIDITY, from the one `meta` row every node updates under its row lock. */
async function takeUidValidity(db: Queryable): Promise<number> {
  await db.query(
    "INSERT INTO meta (key, value) VALUES ('uid_validity_last', 0) ON CONFLICT (key) DO NOTHING",
  );
  const last = (
    await db.query<{ value: number }>("SELECT value FROM meta WHERE key = 'uid_validity_last' FOR UPDATE")
  ).rows[0];
  const value = nextUidValidity(last?.value ?? 0);
  await db.query("UPDATE meta SET value = $1 WHERE key = 'uid_validity_last'", [value]);
  return value;
}

async function insertMailbox(
  db: Queryable,
  userId: number,
  name: string,
  specialUse: string | null,
): Promise<number> {
  const row = (
    await db.query<{ id: number }>(
      'INSERT INTO mailboxes (user_id, name, special_use, uid_validity, noselect) VALUES ($1, $2, $3, $4, 0) RETURNING id',
      [userId, name, specialUse, await takeUidValidity(db)],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('TEMPORARY', 'mailbox insert returned no row');
  return row.id;
}

export async function createDefaultMailboxes(db: Queryable, userId: number): Promise<void> {
  for (const { name, specialUse } of DEFAULT_MAILBOXES) {
    await insertMailbox(db, userId, name, specialUse);
    // A new account's default mailboxes start subscribed (only these: CREATE subscribes nothing).
    await subscribe(db, userId, name, true);
  }
}

async function subscribe(db: Queryable, userId: number, name: string, subscribed: boolean): Promise<void> {
  if (subscribed)
    await db.query('INSERT INTO subscriptions (user_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      userId,
      name,
    ]);
  else await db.query('DELETE FROM subscriptions WHERE user_id = $1 AND name = $2', [userId, name]);
}

/** RFC 3501 6.3.6 / 6.3.7: the subscribed names, sorted; some may name no mailbox. */
export async function listSubscriptions(db: Queryable, userId: number): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    'SELECT name FROM subscriptions WHERE user_id = $1 ORDER BY name COLLATE "C"',
    [userId],
  );
  return rows.rows.map((row) => row.name);
}

async function children(
  db: Queryable,
  userId: number,
  prefix: string,
): Promise<Array<{ id: number; name: string }>> {
  return (
    await db.query<{ id: number; name: string }>(
      'SELECT id, name FROM mailboxes WHERE user_id = $1 AND left(name, length($2)) = $2 ORDER BY name COLLATE "C"',
      [userId, prefix],
    )
  ).rows;
}

// ---- writes ----------------------------------------------------------------------------------

/** Creates a mailbox and any missing parents (RFC 3501 6.3.3). */
export async function createMailbox(
  tx: Tx,
  userId: number,
  rawName: string,
  specialUse: SpecialUse | null = null,
): Promise<Mailbox> {
  const name = normalizeMailboxName(rawName);
  for (const parent of parentNames(name)) {
    if ((await byName(tx, userId, parent)) === undefined) await insertMailbox(tx, userId, parent, null);
  }
  const existing = await byName(tx, userId, name);
  if (existing !== undefined) {
    if (existing.noselect === 0)
      throw new StoreError('ALREADY_EXISTS', `mailbox ${JSON.stringify(name)} already exists`);
    // A \Noselect placeholder becomes a real mailbox again: a "re-created name", so new UIDVALIDITY.
    await tx.query(
      'UPDATE mailboxes SET noselect = 0, uid_validity = $1, special_use = COALESCE($2, special_use) WHERE id = $3',
      [await takeUidValidity(tx), specialUse, existing.id],
    );
    return requireMailboxById(tx, existing.id);
  }
  return requireMailboxById(tx, await insertMailbox(tx, userId, name, specialUse));
}

/** RFC 3501 6.3.4, as the SQLite backend: INBOX stays; a parent with children becomes \Noselect. */
export async function deleteMailbox(tx: Tx, userId: number, rawName: string): Promise<void> {
  const mailbox = await requireMailbox(tx, userId, rawName);
  if (isInbox(mailbox.name)) throw new StoreError('INVALID', 'INBOX cannot be deleted');
  const hasChildren = (await children(tx, userId, mailbox.name + MAILBOX_SEPARATOR)).length > 0;
  if (hasChildren) {
    if (mailbox.noselect)
      throw new StoreError(
        'INVALID',
        `mailbox ${JSON.stringify(mailbox.name)} has children and no messages to delete`,
      );
    await tx.query('DELETE FROM messages WHERE mailbox_id = $1', [mailbox.id]);
    await tx.query('UPDATE mailboxes SET noselect = 1 WHERE id = $1', [mailbox.id]);
  } else {
    await tx.query('DELETE FROM mailboxes WHERE id = $1', [mailbox.id]);
  }
  tx.record(mailbox.id, 'mailbox', null, mailbox.highestModseq);
}

/** RFC 3501 6.3.5, as the SQLite backend: children move too; renaming INBOX moves its messages. */
export async function renameMailbox(tx: Tx, userId: number, rawFrom: string, rawTo: string): Promise<void> {
  const source = await requireMailbox(tx, userId, rawFrom);
  const to = normalizeMailboxName(rawTo);
  if ((await byName(tx, userId, to)) !== undefined)
    throw new StoreError('ALREADY_EXISTS', `mailbox ${JSON.stringify(to)} already exists`);
  if (to.startsWith(source.name + MAILBOX_SEPARATOR))
    throw new StoreError('INVALID', 'cannot rename a mailbox into its own child');
  if (isInbox(to)) throw new StoreError('ALREADY_EXISTS', 'INBOX already exists');
  if (isInbox(source.name)) {
    await renameInbox(tx, userId, source, to);
    return;
  }
  const affected = [
    { id: source.id, name: source.name },
    ...(await children(tx, userId, source.name + MAILBOX_SEPARATOR)),
  ];
  for (const entry of affected) {
    await tx.query('UPDATE mailboxes SET name = $1 WHERE id = $2', [
      to + entry.name.slice(source.name.length),
      entry.id,
    ]);
    tx.record(entry.id, 'mailbox', null, await nextModseq(tx, entry.id));
  }
  for (const parent of parentNames(to)) {
    if ((await byName(tx, userId, parent)) === undefined) await insertMailbox(tx, userId, parent, null);
  }
}

async function renameInbox(tx: Tx, userId: number, inbox: Mailbox, to: string): Promise<void> {
  const target = await createMailbox(tx, userId, to);
  // Lock INBOX's row first, so a concurrent delivery cannot slip a message in between.
  const locked = (
    await tx.query<{ uid_next: number; highest_modseq: number }>(
      'SELECT uid_next, highest_modseq FROM mailboxes WHERE id = $1 FOR UPDATE',
      [inbox.id],
    )
  ).rows[0];
  const uids = (
    await tx.query<{ uid: number }>('SELECT uid FROM messages WHERE mailbox_id = $1 ORDER BY uid', [inbox.id])
  ).rows.map((row) => row.uid);
  // The new mailbox has a fresh UIDVALIDITY, so the messages may keep their UIDs.
  await tx.query('UPDATE messages SET mailbox_id = $1 WHERE mailbox_id = $2', [target.id, inbox.id]);
  await tx.query(
    'UPDATE mailboxes SET uid_next = GREATEST(uid_next, $1), highest_modseq = GREATEST(highest_modseq, $2) WHERE id = $3',
    [locked?.uid_next ?? inbox.uidNext, locked?.highest_modseq ?? inbox.highestModseq, target.id],
  );
  for (const uid of uids) {
    tx.record(inbox.id, 'expunge', uid, await nextModseq(tx, inbox.id));
    tx.record(target.id, 'new', uid, await nextModseq(tx, target.id));
  }
}

export async function setSubscribed(
  tx: Tx,
  userId: number,
  name: string,
  subscribed: boolean,
): Promise<void> {
  await subscribe(tx, userId, normalizeMailboxName(name), subscribed);
}
