import type { SqliteDatabase } from './db.js';
import type { ChangeListener, MailboxChange } from '../../core/types.js';
import { decodeFlags, encodeFlags } from '../../core/flags.js';
import type { ExpungedHistory } from './imap-history.js';

type ChangeKind = MailboxChange['kind'];

interface ChangeRow {
  id: number;
  mailbox_id: number;
  kind: ChangeKind;
  uid: number | null;
  modseq: number;
  flags: string | null;
}

/** Appends change rows; used inside write operations. */
export class ChangeLog {
  private readonly insert;
  private readonly pruneBefore;
  private readonly insertFlags;

  constructor(
    db: SqliteDatabase,
    private readonly expunged: ExpungedHistory,
  ) {
    this.insert = db.prepare(
      'INSERT INTO changes (mailbox_id, kind, uid, modseq, flags, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.pruneBefore = db.prepare('DELETE FROM changes WHERE created_at < ?');
    // One STORE's flag changes (the same flags and mod-sequence): one insert for every UID.
    this.insertFlags = db.prepare<[number, number, string, number, string]>(
      `INSERT INTO changes (mailbox_id, kind, uid, modseq, flags, created_at)
       SELECT ?, 'flags', value, ?, ?, ? FROM json_each(?) ORDER BY key`,
    );
  }

  /** Deletes rows older than `before` (ms since the epoch). */
  prune(before: number): void {
    this.pruneBefore.run(before);
  }

  /** Flag changes of several messages to the same (encoded) flags with one mod-sequence, in UID order. */
  recordFlags(mailboxId: number, uids: readonly number[], modseq: number, encodedFlags: string): void {
    this.insertFlags.run(mailboxId, modseq, encodedFlags, Date.now(), JSON.stringify(uids));
  }

  record(
    mailboxId: number,
    kind: ChangeKind,
    uid: number | null,
    modseq: number,
    flags?: readonly string[],
  ): void {
    // RFC 7162 QRESYNC: every expunge also goes into the history kept for months.
    if (kind === 'expunge' && uid !== null) this.expunged.record(mailboxId, uid, modseq);
    this.insert.run(
      mailboxId,
      kind,
      uid,
      modseq,
      flags === undefined ? null : encodeFlags(flags),
      Date.now(),
    );
  }
}

/**
 * Reads the `changes` table past the last row this store has seen and hands the rows to the
 * watchers of each mailbox. Called right after this process's own commits, and whenever
 * `PRAGMA data_version` says another connection committed (docs/adr/0003).
 */
export class ChangeFeed {
  private readonly listeners = new Map<number, Set<ChangeListener>>();
  /** Told after any commit (ours or another process's) that the transcripts may have changed. */
  private readonly transcriptListeners = new Set<() => void>();
  private readonly selectSince;
  private readonly selectMaxId;
  private lastSeenId: number;
  private lastDataVersion: number;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly onListenerError: (error: unknown) => void,
  ) {
    this.selectSince = db.prepare<[number], ChangeRow>(
      'SELECT id, mailbox_id, kind, uid, modseq, flags FROM changes WHERE id > ? ORDER BY id',
    );
    this.selectMaxId = db.prepare<[], { maxId: number | null }>('SELECT MAX(id) AS maxId FROM changes');
    this.lastSeenId = this.maxId();
    this.lastDataVersion = this.dataVersion();
  }

  watch(mailboxId: number, listener: ChangeListener): () => void {
    let set = this.listeners.get(mailboxId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(mailboxId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(mailboxId);
      if (current === undefined) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(mailboxId);
    };
  }

  /** The live transcript view (docs/adr/0035): called after our commits and when another process committed. */
  watchTranscripts(listener: () => void): () => void {
    this.transcriptListeners.add(listener);
    return () => this.transcriptListeners.delete(listener);
  }

  /** Polling step: reads new rows only if some other connection committed since last time. */
  poll(): void {
    const version = this.dataVersion();
    if (version === this.lastDataVersion) return;
    this.lastDataVersion = version;
    this.pump();
  }

  /** Reads every row past the last seen one and dispatches it. Never inside a transaction. */
  pump(): void {
    for (const listener of [...this.transcriptListeners]) {
      try {
        listener();
      } catch (error) {
        this.onListenerError(error);
      }
    }
    // No watcher (an SMTP-only process, a CLI command): only move the mark past what was written,
    // without reading and decoding every row after each commit and each poll.
    if (this.listeners.size === 0) {
      this.lastSeenId = Math.max(this.lastSeenId, this.maxId());
      return;
    }
    const rows = this.selectSince.all(this.lastSeenId);
    const last = rows.at(-1);
    if (last === undefined) return;
    this.lastSeenId = last.id;
    const byMailbox = new Map<number, MailboxChange[]>();
    for (const row of rows) {
      if (!this.listeners.has(row.mailbox_id)) continue;
      let list = byMailbox.get(row.mailbox_id);
      if (list === undefined) {
        list = [];
        byMailbox.set(row.mailbox_id, list);
      }
      list.push(toChange(row));
    }
    for (const [mailboxId, changes] of byMailbox) {
      for (const listener of [...(this.listeners.get(mailboxId) ?? [])]) {
        try {
          listener(changes);
        } catch (error) {
          // One broken session must not stop the others from hearing about the change.
          this.onListenerError(error);
        }
      }
    }
  }

  private maxId(): number {
    return this.selectMaxId.get()?.maxId ?? 0;
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}

function toChange(row: ChangeRow): MailboxChange {
  const uid = row.uid ?? 0;
  switch (row.kind) {
    case 'new':
      return { kind: 'new', mailboxId: row.mailbox_id, uid, modseq: row.modseq };
    case 'flags':
      return {
        kind: 'flags',
        mailboxId: row.mailbox_id,
        uid,
        modseq: row.modseq,
        flags: decodeFlags(row.flags ?? ''),
      };
    case 'expunge':
      return { kind: 'expunge', mailboxId: row.mailbox_id, uid, modseq: row.modseq };
    case 'mailbox':
      return { kind: 'mailbox', mailboxId: row.mailbox_id, modseq: row.modseq };
  }
}
