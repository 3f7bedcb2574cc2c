import pg from 'pg';
import { decodeFlags } from '../../core/flags.js';
import type { ChangeListener, MailboxChange } from '../../core/types.js';
import { clientConfig, type PostgresSettings, type Queryable } from './connection.js';
import { CHANGES_CHANNEL } from './write-queue.js';
import { TRANSCRIPTS_CHANNEL } from './transcripts.js';

interface ChangeRow {
  id: number;
  mailbox_id: number;
  kind: MailboxChange['kind'];
  uid: number | null;
  modseq: number;
  flags: string | null;
}

/** Rows read per query when catching up; a longer backlog is read in several. */
const PAGE = 5000;
/** A node that lost its LISTEN connection tries again after this, doubling up to RECONNECT_MAX_MS. */
const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 5000;
/** With watchers, the table is also read this often: a notification lost in a reconnect costs at most this. */
export const FEED_POLL_INTERVAL_MS = 1000;

/**
 * The change feed across nodes (docs/adr/0015): every write batch appends its `changes` rows and
 * NOTIFYs `minimail_changes` in its transaction (write-queue.ts); each node LISTENs on one
 * dedicated connection and, on a notification, reads the rows past the last one it has seen and
 * hands them to the watchers of each mailbox. Ids are taken in commit order (the feed's advisory
 * lock), so "past the last seen id" misses nothing. After the LISTEN connection drops, the node
 * reconnects and catches up from its last seen id (rows are kept CHANGE_RETENTION_MS).
 */
export class PgChangeFeed {
  private readonly listeners = new Map<number, Set<ChangeListener>>();
  /** Told when any node committed transcripts (their NOTIFY), and on every poll tick (docs/adr/0035). */
  private readonly transcriptListeners = new Set<() => void>();
  private lastSeenId = 0;
  private client: pg.Client | null = null;
  private closed = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly pollTimer: NodeJS.Timeout;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(
    private readonly settings: PostgresSettings,
    private readonly pool: Queryable,
    private readonly onError: (error: unknown, message: string) => void,
  ) {
    this.pollTimer = setInterval(() => {
      this.transcriptsChanged();
      if (this.listeners.size > 0)
        this.pump().catch((error: unknown) => this.onError(error, 'polling the change feed failed'));
    }, FEED_POLL_INTERVAL_MS);
    this.pollTimer.unref();
  }

  /** Starts at the current end of the feed and LISTENs. */
  async start(): Promise<void> {
    const row = (await this.pool.query<{ id: number | null }>('SELECT MAX(id) AS id FROM changes')).rows[0];
    this.lastSeenId = row?.id ?? 0;
    await this.connect();
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

  watchTranscripts(listener: () => void): () => void {
    this.transcriptListeners.add(listener);
    return () => this.transcriptListeners.delete(listener);
  }

  private transcriptsChanged(): void {
    for (const listener of [...this.transcriptListeners]) {
      try {
        listener();
      } catch (error) {
        this.onError(error, 'transcript listener threw');
      }
    }
  }

  /**
   * After a commit (ours, or another node's NOTIFY) whose last change id is `maxId`. Without
   * watchers nothing is read: the mark just moves, so a watcher added later hears only what comes
   * after it. With watchers, the rows are read and dispatched before this resolves (for our own
   * commits: before the writes' promises settle, as in SQLite).
   */
  committed(maxId: number): Promise<void> {
    if (this.listeners.size === 0) {
      this.lastSeenId = Math.max(this.lastSeenId, maxId);
      return Promise.resolve();
    }
    return this.pump();
  }

  /** Resolves once a read that started after this call has dispatched (reads are coalesced). */
  pump(): Promise<void> {
    if (this.inFlight === null) return this.startRead();
    this.next ??= this.inFlight.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.next;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await this.inFlight?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private startQueued(): Promise<void> {
    this.next = null;
    return this.startRead();
  }

  private startRead(): Promise<void> {
    const running = this.readAll();
    this.inFlight = running;
    const clear = (): void => {
      if (this.inFlight === running) this.inFlight = null;
    };
    running.then(clear, clear);
    return running;
  }

  private async readAll(): Promise<void> {
    for (;;) {
      if (this.listeners.size === 0) {
        const row = (await this.pool.query<{ id: number | null }>('SELECT MAX(id) AS id FROM changes'))
          .rows[0];
        this.lastSeenId = Math.max(this.lastSeenId, row?.id ?? 0);
        return;
      }
      const rows = (
        await this.pool.query<ChangeRow>(
          'SELECT id, mailbox_id, kind, uid, modseq, flags FROM changes WHERE id > $1 ORDER BY id LIMIT $2',
          [this.lastSeenId, PAGE],
        )
      ).rows;
      const last = rows.at(-1);
      if (last === undefined) return;
      this.lastSeenId = last.id;
      this.dispatch(rows);
      if (rows.length < PAGE) return;
    }
  }

  private dispatch(rows: ChangeRow[]): void {
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
          this.onError(error, 'change listener threw');
        }
      }
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(clientConfig(this.settings));
    client.on('notification', (message) => {
      if (message.channel === TRANSCRIPTS_CHANNEL) {
        this.transcriptsChanged();
        return;
      }
      const maxId = Number(message.payload ?? 0);
      this.committed(Number.isFinite(maxId) ? maxId : 0).catch((error: unknown) =>
        this.onError(error, 'reading the change feed failed'),
      );
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('LISTEN connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    await client.query(`LISTEN ${TRANSCRIPTS_CHANNEL}`);
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.reconnectDelay = RECONNECT_MIN_MS;
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.onError(error, 'change feed LISTEN connection lost; reconnecting');
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect()
        // Catch up: whatever was committed while we were not listening.
        .then(() => this.pump())
        .catch((error: unknown) => {
          this.onError(error, 'change feed reconnect failed');
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
          this.scheduleReconnect();
        });
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
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
