import { randomBytes } from 'node:crypto';
import {
  newRecord,
  RECORDING_LIMITS,
  SessionRecorder,
  summaryOf,
  type JourneyStep,
  type MessageLink,
  type RecordedLine,
  type RecordedProtocol,
  type RecorderHost,
  type RecordingEvent,
  type RecordingLimits,
  type RecordingListener,
  type RecordingStats,
  type Recordings,
  type SessionFilter,
  type SessionRecord,
  type SessionSummary,
} from './recording.js';

/** One session's news for the store: its summary now, and its lines and links since the last write. */
export interface RecordingUpdate {
  session: SessionSummary;
  isNew: boolean;
  firstLine: number;
  lines: RecordedLine[];
  links: MessageLink[];
}

/**
 * The store's side of shared recordings (docs/adr/0035): @minimail/store's TranscriptStore has
 * this shape, and the app hands the store here (the compiler checks that they agree). Writes are
 * batches, committed without waiting for an fsync; reads see every process's sessions.
 */
export interface TranscriptStorePort {
  writeTranscripts(batch: {
    origin: string;
    maxSessions: number;
    maxBytes: number;
    updates: RecordingUpdate[];
  }): Promise<{ gone: string[] }>;
  listTranscripts(filter: SessionFilter): Promise<SessionSummary[]>;
  getTranscript(id: string): Promise<SessionRecord | null>;
  transcriptJourney(copies: ReadonlyArray<{ mailboxId: number; uid: number }>): Promise<JourneyStep[]>;
  transcriptStats(): Promise<RecordingStats>;
  transcriptChanges(
    after: number,
    exceptOrigin: string,
  ): Promise<{
    version: number;
    sessions: SessionSummary[];
    lines: Array<{ id: string; index: number; line: RecordedLine }>;
  }>;
  watchTranscripts(listener: () => void): () => void;
}

/** Buffered lines are written at least this often (while any session has news). */
export const RECORDING_FLUSH_MS = 200;
/** ... or as soon as this many lines wait. */
export const RECORDING_FLUSH_LINES = 500;
/** After a failed write, the next try waits this long (the news stays buffered, within each session's bounds). */
const RETRY_MS = 1_000;

interface LiveSession {
  record: SessionRecord;
  /** Not yet in the store. */
  isNew: boolean;
  /** Links of `record.links` already written. */
  linksWritten: number;
  /** Something changed since the last write began. */
  dirty: boolean;
}

/**
 * Recorded conversations kept in the store that every process and node shares (docs/adr/0035).
 * Recorders write into this process's memory only (nothing on a reply's path waits for the
 * store); the book writes their news in batches every RECORDING_FLUSH_MS or RECORDING_FLUSH_LINES
 * lines, and lets go of the lines it has written. The store keeps the whole table within the
 * bounds (count and bytes, oldest dropped). Reads go to the store, after writing this process's
 * own news, so a reader sees what this process said up to the moment it asked. The live view is
 * this process's events at once, and other processes' from the store when it says they wrote
 * (PostgreSQL NOTIFY, SQLite's change polling), within about a second.
 * A crash loses what was not yet written: at most the last RECORDING_FLUSH_MS of lines.
 */
export class SharedTranscriptBook implements Recordings, RecorderHost {
  readonly limits: RecordingLimits;
  /** Tells this process's rows apart in the store's change reads. */
  readonly origin = randomBytes(9).toString('base64url');
  private readonly live = new Map<string, LiveSession>();
  private pendingLines = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  /** The write that follows the one in flight (news that came meanwhile); shared by every caller. */
  private queued: Promise<void> | null = null;
  private closed = false;
  private readonly listeners = new Set<RecordingListener>();
  private unwatch: (() => void) | null = null;
  private cursor: number | null = null;
  private polling: Promise<void> | null = null;
  private pollAgain = false;

  constructor(
    private readonly store: TranscriptStorePort,
    limits: Partial<RecordingLimits> = {},
    private readonly onError: (error: unknown, message: string) => void = () => {},
  ) {
    this.limits = { ...RECORDING_LIMITS, ...limits };
  }

  open(meta: { id: string; protocol: RecordedProtocol; remoteIp: string; tls?: boolean }): SessionRecorder {
    const record = newRecord(meta);
    if (!this.closed) {
      this.live.set(record.id, { record, isNew: true, linksWritten: 0, dirty: true });
      this.schedule();
    }
    this.emit({ kind: 'session', session: summaryOf(record) });
    const recorder = new SessionRecorder(this, record);
    if (meta.tls === true) recorder.tls();
    return recorder;
  }

  /** @internal */
  grow(record: SessionRecord, bytes: number): void {
    record.bytes += bytes;
    this.touch(record);
  }

  /** @internal */
  changed(record: SessionRecord): void {
    if (this.touch(record)) this.emit({ kind: 'session', session: summaryOf(record) });
  }

  /** @internal */
  keeps(record: SessionRecord): boolean {
    return this.live.get(record.id)?.record === record;
  }

  /** @internal */
  line(id: string, index: number, line: RecordedLine): void {
    const live = this.live.get(id);
    if (live === undefined) return;
    live.dirty = true;
    this.pendingLines += 1;
    if (this.pendingLines >= RECORDING_FLUSH_LINES) void this.flush();
    else this.schedule();
    if (this.listeners.size > 0) this.emit({ kind: 'line', id, index, line });
  }

  async stats(): Promise<RecordingStats> {
    await this.flush();
    return this.store.transcriptStats();
  }

  async sessions(filter: SessionFilter = {}): Promise<SessionSummary[]> {
    await this.flush();
    return this.store.listTranscripts(filter);
  }

  async session(id: string): Promise<SessionRecord | null> {
    await this.flush();
    return this.store.getTranscript(id);
  }

  async messageJourney(copies: ReadonlyArray<{ mailboxId: number; uid: number }>): Promise<JourneyStep[]> {
    await this.flush();
    return this.store.transcriptJourney(copies);
  }

  subscribe(listener: RecordingListener): () => void {
    this.listeners.add(listener);
    if (this.unwatch === null && !this.closed) {
      this.cursor = null;
      this.unwatch = this.store.watchTranscripts(() => void this.poll());
      void this.poll();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.unwatch !== null) {
        this.unwatch();
        this.unwatch = null;
      }
    };
  }

  /**
   * Writes every session's news now (reads call it first), resolving once everything said before
   * the call is written. Writes never overlap: a call during a write waits for it, then for one
   * more that writes what came meanwhile.
   */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushing !== null) {
      this.queued ??= this.flushing.then(() => {
        this.queued = null;
        return this.flush();
      });
      return this.queued;
    }
    const running = this.writeAll().finally(() => {
      this.flushing = null;
    });
    this.flushing = running;
    return running;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.unwatch?.();
    this.unwatch = null;
    this.live.clear();
    await this.polling;
  }

  private touch(record: SessionRecord): boolean {
    const live = this.live.get(record.id);
    if (live === undefined || live.record !== record) return false;
    live.dirty = true;
    this.schedule();
    return true;
  }

  private schedule(delay = RECORDING_FLUSH_MS): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
    this.timer.unref();
  }

  private async writeAll(): Promise<void> {
    const sent: Array<{ live: LiveSession; lines: number; links: number }> = [];
    const updates: RecordingUpdate[] = [];
    for (const live of this.live.values()) {
      if (!live.dirty) continue;
      const { record } = live;
      live.dirty = false;
      const lines = record.lines.length;
      const links = record.links.length;
      updates.push({
        session: summaryOf(record),
        isNew: live.isNew,
        firstLine: record.lineCount - lines,
        lines: record.lines.slice(0, lines),
        links: record.links.slice(live.linksWritten, links),
      });
      sent.push({ live, lines, links });
    }
    this.pendingLines = 0;
    if (updates.length === 0) return;
    let gone: Set<string>;
    try {
      const result = await this.store.writeTranscripts({
        origin: this.origin,
        maxSessions: this.limits.maxSessions,
        maxBytes: this.limits.maxBytes,
        updates,
      });
      gone = new Set(result.gone);
    } catch (error) {
      // Nothing written: the news stays (each session within its own bounds) for the next try.
      for (const { live } of sent) live.dirty = true;
      this.onError(error, 'writing recorded conversations to the store failed');
      this.schedule(RETRY_MS);
      return;
    }
    for (const { live, lines, links } of sent) {
      const { record } = live;
      if (gone.has(record.id)) {
        // Dropped by the bounds: its recorder goes on, but nothing more of it is kept (keeps()
        // tells the recorder so; before, a long-lived session held every later line, issue 20).
        this.live.delete(record.id);
        record.lines.length = 0;
        continue;
      }
      live.isNew = false;
      record.lines.splice(0, lines);
      live.linksWritten = links;
      if (record.endedAt !== null && !live.dirty) this.live.delete(record.id);
    }
  }

  private poll(): Promise<void> {
    if (this.polling !== null) {
      this.pollAgain = true;
      return this.polling;
    }
    const running = this.readChanges()
      .catch((error: unknown) => this.onError(error, 'reading recorded conversations from the store failed'))
      .finally(() => {
        this.polling = null;
        if (this.pollAgain && this.unwatch !== null) {
          this.pollAgain = false;
          void this.poll();
        }
      });
    this.polling = running;
    return running;
  }

  private async readChanges(): Promise<void> {
    if (this.cursor === null) {
      // Start at the store's current version: the live view shows what happens from now on.
      this.cursor = (await this.store.transcriptChanges(Number.MAX_SAFE_INTEGER, this.origin)).version;
      return;
    }
    const changes = await this.store.transcriptChanges(this.cursor, this.origin);
    this.cursor = changes.version;
    if (this.listeners.size === 0) return;
    for (const session of changes.sessions) this.emit({ kind: 'session', session });
    for (const { id, index, line } of changes.lines) this.emit({ kind: 'line', id, index, line });
  }

  private emit(event: RecordingEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own (an event stream that closed); recording goes on.
      }
    }
  }
}
