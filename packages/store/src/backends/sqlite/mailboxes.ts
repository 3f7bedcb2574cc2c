import type { Subscriptions } from './subscriptions.js';
import type { SqliteDatabase } from './db.js';
import type { ChangeLog } from './change-feed.js';
import { isInbox, normalizeMailboxName, parentNames } from '../../core/mailbox-names.js';
import type { UidValidityCounter } from './uid-validity.js';
import {
  DEFAULT_MAILBOXES,
  MAILBOX_SEPARATOR,
  StoreError,
  type Mailbox,
  type MailboxStatus,
  type SpecialUse,
} from '../../core/types.js';

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

/**
 * The mailbox row alone, never its message counts: counting scans the mailbox's index, so every
 * delivery into a 100,000-message INBOX would count 200,000 index entries to learn nothing it
 * needs. `mailboxStatus` counts, when a caller asks for counts.
 */
const MAILBOX_COLUMNS = `m.id, m.user_id, m.name, m.special_use,
  EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = m.user_id AND s.name = m.name) AS subscribed, m.noselect, m.uid_validity,
  m.uid_next, m.highest_modseq`;

interface StatusRow {
  uid_next: number;
  uid_validity: number;
  highest_modseq: number;
  messages: number;
  unseen: number;
  size: number;
  deleted: number;
  deleted_size: number;
}

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

/** Mailboxes of users: hierarchy, UIDVALIDITY, UID and modseq counters. */
export class Mailboxes {
  private readonly byUser;
  private readonly byName;
  private readonly byId;
  private readonly status;
  private readonly insert;
  private readonly children;
  private readonly reviveNoselect;
  private readonly markNoselect;
  private readonly deleteById;
  private readonly deleteMessages;
  private readonly renameOne;
  private readonly takeUid;
  private readonly takeModseq;
  private readonly moveAllMessages;
  private readonly uidsOf;
  private readonly raiseCounters;

  constructor(
    db: SqliteDatabase,
    private readonly changes: ChangeLog,
    private readonly uidValidity: UidValidityCounter,
    private readonly subscriptions: Subscriptions,
  ) {
    this.byUser = db.prepare<[number], MailboxRow>(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes m WHERE m.user_id = ? ORDER BY m.name`,
    );
    this.byName = db.prepare<[number, string], MailboxRow>(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes m WHERE m.user_id = ? AND m.name = ?`,
    );
    this.byId = db.prepare<[number], MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes m WHERE m.id = ?`);
    this.status = db.prepare<[{ id: number }], StatusRow>(
      `SELECT uid_next, uid_validity, highest_modseq,
         (SELECT COUNT(*) FROM messages WHERE mailbox_id = @id) AS messages,
         (SELECT COUNT(*) FROM messages WHERE mailbox_id = @id AND seen = 0) AS unseen,
         (SELECT TOTAL(size) FROM messages WHERE mailbox_id = @id) AS size,
         (SELECT COUNT(*) FROM messages WHERE mailbox_id = @id AND deleted = 1) AS deleted,
         (SELECT TOTAL(size) FROM messages WHERE mailbox_id = @id AND deleted = 1) AS deleted_size
       FROM mailboxes WHERE id = @id`,
    );
    this.insert = db.prepare<[number, string, string | null, number, number], { id: number }>(
      'INSERT INTO mailboxes (user_id, name, special_use, uid_validity, noselect) VALUES (?, ?, ?, ?, ?) RETURNING id',
    );
    // substr instead of LIKE: names may contain `_`, which LIKE would treat as a wildcard.
    this.children = db.prepare<[{ userId: number; prefix: string }], { id: number; name: string }>(
      'SELECT id, name FROM mailboxes WHERE user_id = @userId AND substr(name, 1, length(@prefix)) = @prefix ORDER BY name',
    );
    this.reviveNoselect = db.prepare(
      'UPDATE mailboxes SET noselect = 0, uid_validity = ?, special_use = COALESCE(?, special_use) WHERE id = ?',
    );
    this.markNoselect = db.prepare('UPDATE mailboxes SET noselect = 1 WHERE id = ?');
    this.deleteById = db.prepare('DELETE FROM mailboxes WHERE id = ?');
    this.deleteMessages = db.prepare('DELETE FROM messages WHERE mailbox_id = ?');
    this.renameOne = db.prepare('UPDATE mailboxes SET name = ? WHERE id = ?');
    this.takeUid = db.prepare<[number], { uid: number; modseq: number; uid_validity: number }>(
      `UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
       WHERE id = ? RETURNING uid_next - 1 AS uid, highest_modseq AS modseq, uid_validity`,
    );
    this.takeModseq = db.prepare<[number], { modseq: number }>(
      'UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING highest_modseq AS modseq',
    );
    this.moveAllMessages = db.prepare('UPDATE messages SET mailbox_id = ? WHERE mailbox_id = ?');
    this.uidsOf = db.prepare<[number], { uid: number }>(
      'SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid',
    );
    this.raiseCounters = db.prepare(
      'UPDATE mailboxes SET uid_next = MAX(uid_next, ?), highest_modseq = MAX(highest_modseq, ?) WHERE id = ?',
    );
  }

  // ---- reads --------------------------------------------------------------------------------

  list(userId: number): Mailbox[] {
    return this.byUser.all(userId).map(toMailbox);
  }

  get(userId: number, name: string): Mailbox | null {
    const row = this.byName.get(userId, normalizeMailboxName(name));
    return row === undefined ? null : toMailbox(row);
  }

  getById(mailboxId: number): Mailbox | null {
    const row = this.byId.get(mailboxId);
    return row === undefined ? null : toMailbox(row);
  }

  require(userId: number, name: string): Mailbox {
    const row = this.byName.get(userId, normalizeMailboxName(name));
    if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox named ${JSON.stringify(name)}`);
    return toMailbox(row);
  }

  /** A mailbox messages can be put into: exists and is not \Noselect. */
  requireSelectable(mailboxId: number): Mailbox {
    return selectable(this.requireById(mailboxId));
  }

  /** The same, by name (delivery to a user's INBOX or named folder): one lookup. */
  requireSelectableNamed(userId: number, name: string): Mailbox {
    return selectable(this.require(userId, name));
  }

  /** RFC 3501 6.3.10 STATUS in one statement. */
  mailboxStatus(mailboxId: number): MailboxStatus {
    const row = this.status.get({ id: mailboxId });
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

  // ---- writes (inside the write queue) ------------------------------------------------------

  /** Reserves the next UID and modseq of a mailbox (RFC 3501 2.3.1.1: UIDs only grow). */
  nextUid(mailboxId: number): { uid: number; modseq: number; uidValidity: number } {
    const row = this.takeUid.get(mailboxId);
    if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
    return { uid: row.uid, modseq: row.modseq, uidValidity: row.uid_validity };
  }

  /** RFC 7162 3.1: every change to a mailbox gets a new, larger mod-sequence. */
  nextModseq(mailboxId: number): number {
    const row = this.takeModseq.get(mailboxId);
    if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
    return row.modseq;
  }

  createDefaults(userId: number): void {
    for (const { name, specialUse } of DEFAULT_MAILBOXES) {
      this.insert.get(userId, name, specialUse, this.uidValidity.next(), 0);
      // A new account's default mailboxes start subscribed (only these: CREATE subscribes nothing).
      this.subscriptions.set(userId, name, true);
    }
  }

  /** Creates a mailbox and any missing parents (RFC 3501 6.3.3). */
  create(userId: number, rawName: string, specialUse: SpecialUse | null = null): Mailbox {
    const name = normalizeMailboxName(rawName);
    for (const parent of parentNames(name)) {
      if (this.byName.get(userId, parent) === undefined)
        this.insert.get(userId, parent, null, this.uidValidity.next(), 0);
    }
    const existing = this.byName.get(userId, name);
    if (existing !== undefined) {
      if (existing.noselect === 0)
        throw new StoreError('ALREADY_EXISTS', `mailbox ${JSON.stringify(name)} already exists`);
      // A \Noselect placeholder becomes a real mailbox again: a "re-created name", so new UIDVALIDITY.
      this.reviveNoselect.run(this.uidValidity.next(), specialUse, existing.id);
      return this.requireById(existing.id);
    }
    const inserted = this.insert.get(userId, name, specialUse, this.uidValidity.next(), 0);
    if (inserted === undefined) throw new StoreError('TEMPORARY', 'mailbox insert returned no row');
    return this.requireById(inserted.id);
  }

  /**
   * RFC 3501 6.3.4: INBOX cannot be deleted. A mailbox with children loses its messages and
   * becomes \Noselect (the name stays for the hierarchy); deleting a \Noselect mailbox that still
   * has children is an error. Otherwise the mailbox and its messages are removed.
   */
  delete(userId: number, rawName: string): void {
    const mailbox = this.require(userId, rawName);
    if (isInbox(mailbox.name)) throw new StoreError('INVALID', 'INBOX cannot be deleted');
    const hasChildren = this.children.all({ userId, prefix: mailbox.name + MAILBOX_SEPARATOR }).length > 0;
    if (hasChildren) {
      if (mailbox.noselect)
        throw new StoreError(
          'INVALID',
          `mailbox ${JSON.stringify(mailbox.name)} has children and no messages to delete`,
        );
      this.deleteMessages.run(mailbox.id);
      this.markNoselect.run(mailbox.id);
    } else {
      this.deleteById.run(mailbox.id);
    }
    this.changes.record(mailbox.id, 'mailbox', null, mailbox.highestModseq);
  }

  /**
   * RFC 3501 6.3.5: renames a mailbox and all its children, creating missing parents of the new
   * name. Renaming INBOX moves its messages into a new mailbox and leaves INBOX empty (its
   * children stay where they are).
   */
  rename(userId: number, rawFrom: string, rawTo: string): void {
    const source = this.require(userId, rawFrom);
    const to = normalizeMailboxName(rawTo);
    if (this.byName.get(userId, to) !== undefined)
      throw new StoreError('ALREADY_EXISTS', `mailbox ${JSON.stringify(to)} already exists`);
    if (to.startsWith(source.name + MAILBOX_SEPARATOR))
      throw new StoreError('INVALID', 'cannot rename a mailbox into its own child');
    if (isInbox(to)) throw new StoreError('ALREADY_EXISTS', 'INBOX already exists');
    if (isInbox(source.name)) {
      this.renameInbox(userId, source, to);
      return;
    }
    const prefix = source.name + MAILBOX_SEPARATOR;
    const affected = [{ id: source.id, name: source.name }, ...this.children.all({ userId, prefix })];
    for (const entry of affected) {
      this.renameOne.run(to + entry.name.slice(source.name.length), entry.id);
      this.changes.record(entry.id, 'mailbox', null, this.nextModseq(entry.id));
    }
    for (const parent of parentNames(to)) {
      if (this.byName.get(userId, parent) === undefined)
        this.insert.get(userId, parent, null, this.uidValidity.next(), 0);
    }
  }

  private renameInbox(userId: number, inbox: Mailbox, to: string): void {
    const target = this.create(userId, to);
    const uids = this.uidsOf.all(inbox.id).map((row) => row.uid);
    // The new mailbox has a fresh UIDVALIDITY, so the messages may keep their UIDs.
    this.moveAllMessages.run(target.id, inbox.id);
    // The moved rows keep their UIDs and modseqs, so the new mailbox's counters must cover them.
    this.raiseCounters.run(inbox.uidNext, inbox.highestModseq, target.id);
    for (const uid of uids) {
      this.changes.record(inbox.id, 'expunge', uid, this.nextModseq(inbox.id));
      this.changes.record(target.id, 'new', uid, this.nextModseq(target.id));
    }
  }

  private requireById(mailboxId: number): Mailbox {
    const row = this.byId.get(mailboxId);
    if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
    return toMailbox(row);
  }
}
