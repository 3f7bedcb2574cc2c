/**
 * Recorded protocol conversations kept in the store (issue 16, docs/adr/0035): the shapes the
 * store reads and writes. @minimail/protocol records them and defines the same shapes for its
 * port (the app hands the store to it, so the compiler checks they agree); the store knows no
 * protocol, only sessions, lines and links to stored messages.
 */

export type TranscriptProtocol = 'smtp' | 'submission' | 'pop3' | 'imap';

export type TranscriptAction =
  | 'delivered'
  | 'appended'
  | 'listed'
  | 'read'
  | 'flagged'
  | 'copied'
  | 'moved'
  | 'marked-deleted'
  | 'deleted';

export interface TranscriptLine {
  /** ms since the epoch */
  at: number;
  /** Client, server, or a note. */
  dir: 'C' | 'S' | '-';
  text: string;
}

export interface TranscriptLink {
  mailboxId: number;
  uid: number;
  action: TranscriptAction;
  /** Index of the line that did it. */
  line: number;
  to?: { mailboxId: number; uid: number };
}

export interface TranscriptSummary {
  id: string;
  protocol: TranscriptProtocol;
  remoteIp: string;
  startedAt: number;
  endedAt: number | null;
  user: string | null;
  addresses: string[];
  tls: boolean;
  lineCount: number;
  droppedLines: number;
  /** What the byte bound counts for this session (the recorder's count). */
  bytes: number;
}

export interface StoredTranscript extends TranscriptSummary {
  lines: TranscriptLine[];
  links: TranscriptLink[];
}

/** One session's news since its last write: its summary now, and its lines and links since. */
export interface TranscriptUpdate {
  session: TranscriptSummary;
  /** First write of this session: insert it (later writes only update a session still kept). */
  isNew: boolean;
  /** Index of `lines[0]`. */
  firstLine: number;
  lines: TranscriptLine[];
  links: TranscriptLink[];
}

export interface TranscriptBatch {
  /** Which recorder (process) wrote it: its own live view skips its own changes. */
  origin: string;
  /** The bounds of the whole table: after the write, the oldest sessions go until both hold. */
  maxSessions: number;
  maxBytes: number;
  updates: TranscriptUpdate[];
}

export interface TranscriptWriteResult {
  /** Sessions of the batch no longer kept (dropped by the bounds, now or earlier): stop writing them. */
  gone: string[];
}

export interface TranscriptFilter {
  protocol?: TranscriptProtocol | undefined;
  /** Part of an address the session used, case-insensitive. */
  address?: string | undefined;
  remoteIp?: string | undefined;
  limit?: number | undefined;
}

export interface TranscriptStats {
  total: number;
  bytes: number;
  /** Sessions dropped to stay within the bounds, by every process, since the table was made. */
  dropped: number;
}

export interface TranscriptJourneyStep {
  session: TranscriptSummary;
  links: TranscriptLink[];
}

/** What other writers changed since a version (the live view across processes). */
export interface TranscriptChanges {
  /** Pass it as `after` next time. */
  version: number;
  sessions: TranscriptSummary[];
  lines: Array<{ id: string; index: number; line: TranscriptLine }>;
}

/** Addresses are kept as one text, one per line, lower case (filtered by substring). */
export function encodeAddresses(addresses: readonly string[]): string {
  return addresses.map((a) => a.toLowerCase().replace(/\n/g, ' ')).join('\n');
}

export function decodeAddresses(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

/** One stored copy as a map key. */
export function copyKey(mailboxId: number, uid: number): string {
  return `${mailboxId}-${uid}`;
}

/** A session row as both backends name its columns (bigints may arrive as strings). */
export interface SessionRow {
  seq: number | string;
  id: string;
  protocol: string;
  remote_ip: string;
  started_at: number | string;
  ended_at: number | string | null;
  user: string | null;
  addresses: string;
  tls: number | string | boolean;
  line_count: number | string;
  dropped_lines: number | string;
  bytes: number | string;
}

export interface LinkRow {
  session_seq: number | string;
  line: number | string;
  mailbox_id: number | string;
  uid: number | string;
  action: string;
  to_mailbox_id: number | string | null;
  to_uid: number | string | null;
}

export function summaryOf(row: SessionRow): TranscriptSummary {
  return {
    id: row.id,
    protocol: row.protocol as TranscriptProtocol,
    remoteIp: row.remote_ip,
    startedAt: Number(row.started_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    user: row.user,
    addresses: decodeAddresses(row.addresses),
    tls: Boolean(row.tls),
    lineCount: Number(row.line_count),
    droppedLines: Number(row.dropped_lines),
    bytes: Number(row.bytes),
  };
}

export function linkOf(row: LinkRow): TranscriptLink {
  return {
    mailboxId: Number(row.mailbox_id),
    uid: Number(row.uid),
    action: row.action as TranscriptAction,
    line: Number(row.line),
    ...(row.to_mailbox_id === null || row.to_uid === null
      ? {}
      : { to: { mailboxId: Number(row.to_mailbox_id), uid: Number(row.to_uid) } }),
  };
}
