import type { SqliteDatabase } from './db.js';
import {
  copyKey,
  linkOf,
  summaryOf,
  type LinkRow,
  type SessionRow,
  encodeAddresses,
  type StoredTranscript,
  type TranscriptBatch,
  type TranscriptChanges,
  type TranscriptFilter,
  type TranscriptJourneyStep,
  type TranscriptLine,
  type TranscriptStats,
  type TranscriptSummary,
  type TranscriptWriteResult,
} from '../../core/transcripts.js';

const SESSION_COLUMNS =
  'seq, id, protocol, remote_ip, started_at, ended_at, user, addresses, tls, line_count, dropped_lines, bytes';

/**
 * Recorded conversations on SQLite (docs/adr/0035): written in batches by the store's writer
 * (`write`, inside its transaction), read on the store's connection by every process.
 */
export class Transcripts {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      bump: db.prepare<[], { version: number }>(
        'UPDATE transcript_meta SET version = version + 1 WHERE id = 1 RETURNING version',
      ),
      insertSession: db.prepare<unknown[], { seq: number }>(
        `INSERT INTO transcript_sessions (id, origin, version, protocol, remote_ip, started_at, ended_at,
           user, addresses, tls, line_count, dropped_lines, bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING seq`,
      ),
      updateSession: db.prepare<unknown[], { seq: number }>(
        `UPDATE transcript_sessions SET version = ?, ended_at = ?, user = ?, addresses = ?, tls = ?,
           line_count = ?, dropped_lines = ?, bytes = ? WHERE id = ? RETURNING seq`,
      ),
      insertLine: db.prepare(
        'INSERT OR IGNORE INTO transcript_lines (session_seq, idx, version, at, dir, text) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertLink: db.prepare(
        `INSERT INTO transcript_links (session_seq, line, mailbox_id, uid, action, to_mailbox_id, to_uid)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      totals: db.prepare<[], { n: number; b: number }>(
        'SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM transcript_sessions',
      ),
      overBounds: db.prepare<[number, number], { seq: number; id: string }>(
        `SELECT seq, id FROM (
           SELECT seq, id, ROW_NUMBER() OVER newest AS rank, SUM(bytes) OVER newest AS total
           FROM transcript_sessions WINDOW newest AS (ORDER BY seq DESC ROWS UNBOUNDED PRECEDING))
         WHERE rank > ? OR total > ?`,
      ),
      deleteSession: db.prepare('DELETE FROM transcript_sessions WHERE seq = ?'),
      deleteLines: db.prepare('DELETE FROM transcript_lines WHERE session_seq = ?'),
      deleteLinks: db.prepare('DELETE FROM transcript_links WHERE session_seq = ?'),
      addDropped: db.prepare('UPDATE transcript_meta SET dropped = dropped + ? WHERE id = 1'),
      meta: db.prepare<[], { version: number; dropped: number }>(
        'SELECT version, dropped FROM transcript_meta WHERE id = 1',
      ),
      list: db.prepare<
        [{ protocol: string | null; ip: string | null; address: string | null; limit: number }],
        SessionRow
      >(
        `SELECT ${SESSION_COLUMNS} FROM transcript_sessions
         WHERE (@protocol IS NULL OR protocol = @protocol) AND (@ip IS NULL OR remote_ip = @ip)
           AND (@address IS NULL OR instr(addresses, @address) > 0)
         ORDER BY seq DESC LIMIT @limit`,
      ),
      byId: db.prepare<[string], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM transcript_sessions WHERE id = ?`,
      ),
      bySeq: db.prepare<[number], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM transcript_sessions WHERE seq = ?`,
      ),
      lines: db.prepare<[number], TranscriptLine>(
        'SELECT at, dir, text FROM transcript_lines WHERE session_seq = ? ORDER BY idx',
      ),
      links: db.prepare<[number], LinkRow>(
        'SELECT * FROM transcript_links WHERE session_seq = ? ORDER BY rowid',
      ),
      sources: db.prepare<[number, number], { mailbox_id: number; uid: number }>(
        'SELECT mailbox_id, uid FROM transcript_links WHERE to_mailbox_id = ? AND to_uid = ?',
      ),
      linksOf: db.prepare<[number, number], LinkRow>(
        'SELECT * FROM transcript_links WHERE mailbox_id = ? AND uid = ? ORDER BY session_seq, rowid',
      ),
      changedSessions: db.prepare<[number, number, string], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM transcript_sessions
         WHERE version > ? AND version <= ? AND origin <> ? ORDER BY seq`,
      ),
      changedLines: db.prepare<
        [number, number, string],
        { id: string; idx: number; at: number; dir: TranscriptLine['dir']; text: string }
      >(
        `SELECT s.id AS id, l.idx AS idx, l.at AS at, l.dir AS dir, l.text AS text
         FROM transcript_lines l JOIN transcript_sessions s ON s.seq = l.session_seq
         WHERE l.version > ? AND l.version <= ? AND s.origin <> ?
         ORDER BY l.version, l.session_seq, l.idx`,
      ),
    };
  }

  /** One batch, inside the writer's transaction; then the oldest sessions go until the bounds hold. */
  write(batch: TranscriptBatch): TranscriptWriteResult {
    const s = this.statements;
    const version = s.bump.get()!.version;
    const gone: string[] = [];
    const written = new Set<string>();
    for (const update of batch.updates) {
      const session = update.session;
      const addresses = encodeAddresses(session.addresses);
      let row = update.isNew
        ? s.insertSession.get(
            session.id,
            batch.origin,
            version,
            session.protocol,
            session.remoteIp,
            session.startedAt,
            session.endedAt,
            session.user,
            addresses,
            session.tls ? 1 : 0,
            session.lineCount,
            session.droppedLines,
            session.bytes,
          )
        : undefined;
      row ??= s.updateSession.get(
        version,
        session.endedAt,
        session.user,
        addresses,
        session.tls ? 1 : 0,
        session.lineCount,
        session.droppedLines,
        session.bytes,
        session.id,
      );
      if (row === undefined) {
        gone.push(session.id);
        continue;
      }
      written.add(session.id);
      const seq = row.seq;
      update.lines.forEach((line, i) =>
        s.insertLine.run(seq, update.firstLine + i, version, line.at, line.dir, line.text),
      );
      for (const link of update.links)
        s.insertLink.run(
          seq,
          link.line,
          link.mailboxId,
          link.uid,
          link.action,
          link.to?.mailboxId ?? null,
          link.to?.uid ?? null,
        );
    }
    const totals = s.totals.get()!;
    if (totals.n > batch.maxSessions || totals.b > batch.maxBytes) {
      const over = s.overBounds.all(batch.maxSessions, batch.maxBytes);
      for (const { seq, id } of over) {
        s.deleteLines.run(seq);
        s.deleteLinks.run(seq);
        s.deleteSession.run(seq);
        if (written.has(id)) gone.push(id);
      }
      s.addDropped.run(over.length);
    }
    return { gone };
  }

  list(filter: TranscriptFilter, defaultLimit: number): TranscriptSummary[] {
    const address =
      filter.address === undefined || filter.address === '' ? null : filter.address.toLowerCase();
    return this.statements.list
      .all({
        protocol: filter.protocol ?? null,
        ip: filter.remoteIp ?? null,
        address,
        limit: filter.limit ?? defaultLimit,
      })
      .map(summaryOf);
  }

  get(id: string): StoredTranscript | null {
    const row = this.statements.byId.get(id);
    if (row === undefined) return null;
    return {
      ...summaryOf(row),
      lines: this.statements.lines
        .all(Number(row.seq))
        .map((line) => ({ at: line.at, dir: line.dir, text: line.text })),
      links: this.statements.links.all(Number(row.seq)).map(linkOf),
    };
  }

  journey(copies: ReadonlyArray<{ mailboxId: number; uid: number }>): TranscriptJourneyStep[] {
    const wanted = new Map(copies.map((copy) => [copyKey(copy.mailboxId, copy.uid), copy]));
    // Back through COPY/MOVE: the source of a link that made a wanted copy is wanted too.
    const queue = [...wanted.values()];
    for (let copy = queue.pop(); copy !== undefined; copy = queue.pop()) {
      for (const source of this.statements.sources.all(copy.mailboxId, copy.uid)) {
        const key = copyKey(source.mailbox_id, source.uid);
        if (wanted.has(key)) continue;
        const found = { mailboxId: source.mailbox_id, uid: source.uid };
        wanted.set(key, found);
        queue.push(found);
      }
    }
    const bySession = new Map<number, LinkRow[]>();
    for (const copy of wanted.values()) {
      for (const link of this.statements.linksOf.all(copy.mailboxId, copy.uid)) {
        const seq = Number(link.session_seq);
        const list = bySession.get(seq) ?? [];
        list.push(link);
        bySession.set(seq, list);
      }
    }
    const steps: Array<TranscriptJourneyStep & { seq: number }> = [];
    for (const [seq, links] of bySession) {
      const row = this.statements.bySeq.get(seq);
      if (row === undefined) continue;
      links.sort((a, b) => Number(a.line) - Number(b.line));
      steps.push({ seq, session: summaryOf(row), links: links.map(linkOf) });
    }
    steps.sort((a, b) => a.session.startedAt - b.session.startedAt || a.seq - b.seq);
    return steps.map(({ session, links }) => ({ session, links }));
  }

  stats(): TranscriptStats {
    const totals = this.statements.totals.get()!;
    return { total: totals.n, bytes: totals.b, dropped: this.statements.meta.get()!.dropped };
  }

  changes(after: number, exceptOrigin: string): TranscriptChanges {
    const version = this.statements.meta.get()!.version;
    if (version <= after) return { version, sessions: [], lines: [] };
    return {
      version,
      sessions: this.statements.changedSessions.all(after, version, exceptOrigin).map(summaryOf),
      lines: this.statements.changedLines
        .all(after, version, exceptOrigin)
        .map((row) => ({ id: row.id, index: row.idx, line: { at: row.at, dir: row.dir, text: row.text } })),
    };
  }
}
