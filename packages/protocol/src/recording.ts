import { Transcript, type TranscriptEntry } from './transcript.js';

/** The listeners whose conversations are recorded. */
export type RecordedProtocol = 'smtp' | 'submission' | 'pop3' | 'imap';

/** What a session did to a message (the Journey's steps). */
export type MessageAction =
  | 'delivered'
  | 'appended'
  | 'listed'
  | 'read'
  | 'flagged'
  | 'copied'
  | 'moved'
  | 'marked-deleted'
  | 'deleted';

/** One recorded line, with when it was said (ms since the epoch). */
export interface RecordedLine extends TranscriptEntry {
  at: number;
}

/** A session's link to one stored copy of a message, at the line that did it. */
export interface MessageLink {
  mailboxId: number;
  uid: number;
  action: MessageAction;
  /** Index in `lines` of the line that did it (the reply, or the command when no reply follows). */
  line: number;
  /** COPY/MOVE: the copy it made (the journey follows a message through its moves). */
  to?: { mailboxId: number; uid: number };
}

export interface SessionSummary {
  id: string;
  protocol: RecordedProtocol;
  remoteIp: string;
  startedAt: number;
  /** Null while the session is open. */
  endedAt: number | null;
  /** The login (or the SMTP envelope sender when nobody logged in); null before either. */
  user: string | null;
  /** Envelope and login addresses seen (for filtering by address). */
  addresses: string[];
  /** True once the conversation is inside TLS (implicit or upgraded). */
  tls: boolean;
  lineCount: number;
  /** Lines not kept because the session's transcript was full. */
  droppedLines: number;
  /** Approximate bytes this record holds (what the store's byte bound counts). */
  bytes: number;
}

export interface SessionRecord extends SessionSummary {
  lines: RecordedLine[];
  links: MessageLink[];
}

export interface RecordingLimits {
  /** Sessions kept; the oldest are dropped beyond it. */
  maxSessions: number;
  /** Bytes of all kept transcripts together; the oldest sessions are dropped beyond it. */
  maxBytes: number;
  /** Lines one session keeps; later lines are counted, not kept. */
  maxLinesPerSession: number;
}

/** Named defaults (docs/adr/0028): enough for a day of a developer's mail, a few MiB of memory. */
export const RECORDING_LIMITS: RecordingLimits = {
  maxSessions: 1_000,
  maxBytes: 8 * 1024 * 1024,
  maxLinesPerSession: 2_000,
};

/** Bytes counted per line beyond its text (timestamp, direction, array slot). */
const LINE_OVERHEAD_BYTES = 32;
/** Bytes counted per session beyond its lines. */
const SESSION_OVERHEAD_BYTES = 256;

export interface SessionFilter {
  protocol?: RecordedProtocol | undefined;
  /** Substring of any address the session saw (login, MAIL FROM, RCPT TO), case-insensitive. */
  address?: string | undefined;
  remoteIp?: string | undefined;
  limit?: number | undefined;
}

export type RecordingEvent =
  | { kind: 'session'; session: SessionSummary }
  | { kind: 'line'; id: string; index: number; line: RecordedLine };

export type RecordingListener = (event: RecordingEvent) => void;
type Listener = RecordingListener;

/** What the bounds hold now, over every process that shares the recordings. */
export interface RecordingStats {
  total: number;
  bytes: number;
  dropped: number;
}

export interface JourneyStep {
  session: SessionSummary;
  links: MessageLink[];
}

/**
 * The recorded conversations as the servers (which open recorders) and the HTTP API (which reads)
 * see them: kept in this process's memory (TranscriptBook) or in the store every process shares
 * (SharedTranscriptBook, docs/adr/0035).
 */
export interface Recordings {
  readonly limits: RecordingLimits;
  /** Starts recording one session. */
  open(meta: { id: string; protocol: RecordedProtocol; remoteIp: string; tls?: boolean }): SessionRecorder;
  stats(): Promise<RecordingStats>;
  /** Newest first. */
  sessions(filter?: SessionFilter): Promise<SessionSummary[]>;
  session(id: string): Promise<SessionRecord | null>;
  /** The sessions that touched these stored copies, in the order they started. */
  messageJourney(copies: ReadonlyArray<{ mailboxId: number; uid: number }>): Promise<JourneyStep[]>;
  /** Events as sessions start, change, end and speak (in any process sharing the recordings). */
  subscribe(listener: Listener): () => void;
  /** Writes what is still buffered and stops; recorders opened later record nothing. */
  close(): Promise<void>;
}

/** What a recorder tells the book that keeps its record. */
export interface RecorderHost {
  readonly limits: RecordingLimits;
  grow(record: SessionRecord, bytes: number): void;
  changed(record: SessionRecord): void;
  line(id: string, index: number, line: RecordedLine): void;
  /**
   * Whether the book still keeps this record. A record the bounds dropped is not read by anyone:
   * its live recorder only counts lines from then on (10,000 IDLE sessions, issue 20), instead of
   * holding every later line for the rest of the connection.
   */
  keeps?(record: SessionRecord): boolean;
}

/**
 * One live session's recorder. Protocol servers call client/server/note as lines pass, `tls()`
 * when the conversation moves into TLS, `link()` when a command touches a stored message and
 * `close()` at the end. Credentials are masked by the Transcript before anything is kept.
 */
export class SessionRecorder {
  private readonly transcript: Transcript;
  private closed = false;

  constructor(
    private readonly book: RecorderHost,
    readonly record: SessionRecord,
  ) {
    this.transcript = new Transcript({
      maxLines: 0,
      onEntry: (entry) => this.add(entry),
    });
  }

  get id(): string {
    return this.record.id;
  }

  client(line: string | Buffer): void {
    this.transcript.client(line);
  }

  server(line: string | Buffer): void {
    this.transcript.server(line);
  }

  note(text: string): void {
    this.transcript.note(text);
  }

  /** The conversation continues inside TLS (after STARTTLS/STLS, or from the start on 465/993/995). */
  tls(): void {
    if (this.record.tls) return;
    this.record.tls = true;
    this.note('[TLS started: what follows is encrypted on the wire]');
  }

  /** The session's user (login) and an address it used. */
  user(name: string): void {
    this.record.user = name;
    this.address(name);
  }

  address(address: string): void {
    const lower = address.toLowerCase();
    if (lower !== '' && !this.record.addresses.includes(lower) && this.record.addresses.length < 100) {
      this.record.addresses.push(lower);
      this.book.grow(this.record, lower.length);
    }
  }

  /** Links a stored message to this session at the next line recorded (the reply still to be written). */
  link(mailboxId: number, uid: number, action: MessageAction, to?: { mailboxId: number; uid: number }): void {
    const index = this.record.lineCount;
    if (this.record.links.length >= this.book.limits.maxLinesPerSession) return;
    this.record.links.push({ mailboxId, uid, action, line: index, ...(to === undefined ? {} : { to }) });
    this.book.grow(this.record, 24);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.record.endedAt = Date.now();
    this.book.changed(this.record);
  }

  private add(entry: TranscriptEntry): void {
    if (this.closed) return;
    const size = entry.text.length + LINE_OVERHEAD_BYTES;
    // A session keeps lines up to its line limit and a quarter of the book's bytes, so one long
    // session cannot push every other one out.
    if (
      this.record.lineCount >= this.book.limits.maxLinesPerSession ||
      this.record.bytes + size > this.book.limits.maxBytes / 4
    ) {
      this.record.droppedLines += 1;
      return;
    }
    if (this.book.keeps?.(this.record) === false) {
      // Dropped by the book's bounds: nobody can read it any more, so nothing of it is held.
      this.record.lineCount += 1;
      if (this.record.lines.length > 0) this.record.lines.length = 0;
      return;
    }
    const line: RecordedLine = { at: Date.now(), dir: entry.dir, text: entry.text };
    // lineCount, not lines.length: a shared book lets go of the lines it has written.
    const index = this.record.lineCount;
    this.record.lines.push(line);
    this.record.lineCount += 1;
    this.book.grow(this.record, size);
    this.book.line(this.record.id, index, line);
  }
}

/**
 * The store of recorded conversations (docs/adr/0028): kept in the memory of the process that
 * serves them, bounded by session count and bytes, the oldest sessions dropped first. Open
 * sessions count towards the bounds too, so a flood of long sessions cannot grow it.
 */
export class TranscriptBook implements Recordings, RecorderHost {
  readonly limits: RecordingLimits;
  /** Oldest first (Map keeps insertion order). */
  private readonly kept = new Map<string, SessionRecord>();
  private totalBytes = 0;
  private readonly listeners = new Set<Listener>();
  private dropped = 0;

  constructor(limits: Partial<RecordingLimits> = {}) {
    this.limits = { ...RECORDING_LIMITS, ...limits };
  }

  /** Starts recording one session. */
  open(meta: { id: string; protocol: RecordedProtocol; remoteIp: string; tls?: boolean }): SessionRecorder {
    const record = newRecord(meta);
    this.kept.delete(meta.id);
    this.kept.set(meta.id, record);
    this.totalBytes += record.bytes;
    this.trim();
    this.changed(record);
    const recorder = new SessionRecorder(this, record);
    if (meta.tls === true) recorder.tls();
    return recorder;
  }

  get size(): number {
    return this.kept.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Sessions dropped to stay within the bounds since start. */
  get droppedSessions(): number {
    return this.dropped;
  }

  /** Newest first. */
  list(filter: SessionFilter = {}): SessionSummary[] {
    const out: SessionSummary[] = [];
    const limit = filter.limit ?? this.limits.maxSessions;
    const address = filter.address?.toLowerCase();
    for (const record of [...this.kept.values()].reverse()) {
      if (filter.protocol !== undefined && record.protocol !== filter.protocol) continue;
      if (filter.remoteIp !== undefined && record.remoteIp !== filter.remoteIp) continue;
      if (address !== undefined && address !== '' && !record.addresses.some((a) => a.includes(address)))
        continue;
      out.push(summaryOf(record));
      if (out.length >= limit) break;
    }
    return out;
  }

  get(id: string): SessionRecord | null {
    return this.kept.get(id) ?? null;
  }

  /**
   * The sessions that touched any of these stored copies, in the order they started, each with
   * only the links to those copies.
   */
  journey(
    copies: ReadonlyArray<{ mailboxId: number; uid: number }>,
  ): Array<{ session: SessionSummary; links: MessageLink[] }> {
    const wanted = new Set(copies.map((c) => `${c.mailboxId}-${c.uid}`));
    // Follow the message back through COPY/MOVE: a copy made from a wanted one's source is wanted.
    for (let grew = true; grew;) {
      grew = false;
      for (const record of this.kept.values()) {
        for (const link of record.links) {
          if (link.to === undefined || !wanted.has(`${link.to.mailboxId}-${link.to.uid}`)) continue;
          const source = `${link.mailboxId}-${link.uid}`;
          if (!wanted.has(source)) {
            wanted.add(source);
            grew = true;
          }
        }
      }
    }
    const out: Array<{ session: SessionSummary; links: MessageLink[] }> = [];
    for (const record of this.kept.values()) {
      const links = record.links.filter((link) => wanted.has(`${link.mailboxId}-${link.uid}`));
      if (links.length > 0) out.push({ session: summaryOf(record), links });
    }
    return out.sort((a, b) => a.session.startedAt - b.session.startedAt);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): Promise<RecordingStats> {
    return Promise.resolve({ total: this.size, bytes: this.bytes, dropped: this.droppedSessions });
  }

  sessions(filter?: SessionFilter): Promise<SessionSummary[]> {
    return Promise.resolve(this.list(filter));
  }

  session(id: string): Promise<SessionRecord | null> {
    return Promise.resolve(this.get(id));
  }

  messageJourney(copies: ReadonlyArray<{ mailboxId: number; uid: number }>): Promise<JourneyStep[]> {
    return Promise.resolve(this.journey(copies));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** @internal recorder bookkeeping */
  grow(record: SessionRecord, bytes: number): void {
    record.bytes += bytes;
    if (this.kept.get(record.id) !== record) return;
    this.totalBytes += bytes;
    this.trim();
  }

  /** @internal */
  changed(record: SessionRecord): void {
    if (this.kept.get(record.id) !== record) return;
    this.emit({ kind: 'session', session: summaryOf(record) });
  }

  /** @internal */
  keeps(record: SessionRecord): boolean {
    return this.kept.get(record.id) === record;
  }

  /** @internal */
  line(id: string, index: number, line: RecordedLine): void {
    if (this.listeners.size > 0) this.emit({ kind: 'line', id, index, line });
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

  private trim(): void {
    while (this.kept.size > this.limits.maxSessions || this.totalBytes > this.limits.maxBytes) {
      const oldest = this.kept.keys().next();
      if (oldest.done === true) return;
      const record = this.kept.get(oldest.value)!;
      this.kept.delete(oldest.value);
      // A live session's recorder may still hold it: its lines go now, not when the session ends.
      record.lines = [];
      record.links = [];
      this.totalBytes -= record.bytes;
      this.dropped += 1;
    }
  }
}

export function newRecord(meta: { id: string; protocol: RecordedProtocol; remoteIp: string }): SessionRecord {
  return {
    id: meta.id,
    protocol: meta.protocol,
    remoteIp: meta.remoteIp,
    startedAt: Date.now(),
    endedAt: null,
    user: null,
    addresses: [],
    tls: false,
    lineCount: 0,
    droppedLines: 0,
    bytes: SESSION_OVERHEAD_BYTES,
    lines: [],
    links: [],
  };
}

export function summaryOf(record: SessionRecord): SessionSummary {
  return {
    id: record.id,
    protocol: record.protocol,
    remoteIp: record.remoteIp,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    user: record.user,
    addresses: [...record.addresses],
    tls: record.tls,
    lineCount: record.lineCount,
    droppedLines: record.droppedLines,
    bytes: record.bytes,
  };
}

/** The transcript as downloadable text: one line each, `HH:MM:SS.mmm C: ...`. */
export function transcriptText(record: SessionRecord): string {
  const head = [
    `# minimail ${record.protocol} session ${record.id} from ${record.remoteIp}`,
    `# started ${new Date(record.startedAt).toISOString()}${record.endedAt === null ? ' (open)' : `, ended ${new Date(record.endedAt).toISOString()}`}`,
  ];
  const body = record.lines.map(
    (line) =>
      `${new Date(line.at).toISOString().slice(11, 23)} ${line.dir === '-' ? '--' : `${line.dir}:`} ${line.text}`,
  );
  const tail = record.droppedLines > 0 ? [`-- ${record.droppedLines} later lines not kept`] : [];
  return `${[...head, ...body, ...tail].join('\n')}\n`;
}

/** What a session writes its conversation to: the debug log's Transcript, a recorder, or both. */
export interface TranscriptSink {
  client(line: string | Buffer): void;
  server(line: string | Buffer): void;
  note(text: string): void;
}

/** One sink feeding every given one; null when there is none (nothing is recorded). */
export function transcriptSinks(...sinks: Array<TranscriptSink | null | undefined>): TranscriptSink | null {
  const live = sinks.filter((sink): sink is TranscriptSink => sink !== null && sink !== undefined);
  if (live.length === 0) return null;
  if (live.length === 1) return live[0]!;
  return {
    client: (line) => live.forEach((sink) => sink.client(line)),
    server: (line) => live.forEach((sink) => sink.server(line)),
    note: (text) => live.forEach((sink) => sink.note(text)),
  };
}

/** Lines of a message body a transcript shows before eliding the rest with its size. */
export const BODY_PREVIEW_LINES = 4;

/** Records the first BODY_PREVIEW_LINES lines of a message body as `dir` lines, then its size. */
export function recordBodyPreview(sink: TranscriptSink, dir: 'C' | 'S', body: Buffer): void {
  let offset = 0;
  let shown = 0;
  while (shown < BODY_PREVIEW_LINES && offset < body.length) {
    const end = body.indexOf(0x0a, offset);
    const stop = end === -1 ? body.length : end + 1;
    const line = body
      .subarray(offset, Math.min(stop, offset + 200))
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (dir === 'C') sink.client(line);
    else sink.server(line);
    offset = stop;
    shown += 1;
  }
  sink.note(
    `[message body, ${body.length} octets${offset < body.length ? `; ${body.length - offset} more octets not shown` : ''}]`,
  );
}
