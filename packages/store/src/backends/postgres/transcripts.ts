import type pg from 'pg';
import type { TranscriptBackend } from '../../core/backend.js';
import {
  copyKey,
  encodeAddresses,
  linkOf,
  summaryOf,
  type LinkRow,
  type SessionRow,
  type TranscriptBatch,
  type TranscriptChanges,
  type TranscriptJourneyStep,
  type TranscriptLine,
  type TranscriptWriteResult,
} from '../../core/transcripts.js';
import type { Queryable } from './connection.js';
import { toStoreError } from './errors.js';

/** Every node LISTENs here (change-feed.ts); the payload is the version just committed. */
export const TRANSCRIPTS_CHANNEL = 'minimail_transcripts';

const SESSION_COLUMNS =
  'seq, id, protocol, remote_ip, started_at, ended_at, "user", addresses, tls, line_count, dropped_lines, bytes';

/** PostgreSQL text cannot hold NUL; a hostile client's NUL is shown as U+FFFD. */
function clean(text: string): string {
  return text.includes('\0') ? text.replace(/\0/g, '\uFFFD') : text;
}

/**
 * Recorded conversations on PostgreSQL (docs/adr/0035). A batch is one transaction of its own on
 * a pooled connection, outside the mail write queue, with synchronous_commit=off: transcripts are
 * diagnostics, so their COMMIT neither waits for the WAL flush nor holds the queue's batch; a
 * server crash may lose the last ones. The transcript_meta row, taken first, orders the writers
 * of every node, so versions are handed out in commit order and the trim sees every session.
 */
export function postgresTranscripts(
  pool: pg.Pool,
  watch: (listener: () => void) => () => void,
): TranscriptBackend {
  const read = <T>(fn: (db: Queryable) => Promise<T>): Promise<T> =>
    fn(pool).catch((error: unknown) => {
      throw toStoreError(error);
    });
  return {
    write: (batch) => write(pool, batch),
    list: (filter, defaultLimit) =>
      read(async (db) => {
        const address =
          filter.address === undefined || filter.address === '' ? null : filter.address.toLowerCase();
        const { rows } = await db.query<SessionRow>(
          `SELECT ${SESSION_COLUMNS} FROM transcript_sessions
           WHERE ($1::text IS NULL OR protocol = $1) AND ($2::text IS NULL OR remote_ip = $2)
             AND ($3::text IS NULL OR strpos(addresses, $3) > 0)
           ORDER BY seq DESC LIMIT $4`,
          [filter.protocol ?? null, filter.remoteIp ?? null, address, filter.limit ?? defaultLimit],
        );
        return rows.map(summaryOf);
      }),
    get: (id) =>
      read(async (db) => {
        const row = (
          await db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM transcript_sessions WHERE id = $1`, [id])
        ).rows[0];
        if (row === undefined) return null;
        const lines = await db.query<TranscriptLine & { at: number }>(
          'SELECT at, dir, text FROM transcript_lines WHERE session_seq = $1 ORDER BY idx',
          [row.seq],
        );
        const links = await db.query<LinkRow>(
          'SELECT * FROM transcript_links WHERE session_seq = $1 ORDER BY id',
          [row.seq],
        );
        return {
          ...summaryOf(row),
          lines: lines.rows.map((line) => ({ at: Number(line.at), dir: line.dir, text: line.text })),
          links: links.rows.map(linkOf),
        };
      }),
    journey: (copies) => read((db) => journey(db, copies)),
    stats: () =>
      read(async (db) => {
        const { rows } = await db.query<{ n: number; b: number; dropped: number }>(
          `SELECT (SELECT COUNT(*) FROM transcript_sessions) AS n,
                  (SELECT COALESCE(SUM(bytes), 0) FROM transcript_sessions) AS b,
                  (SELECT dropped FROM transcript_meta WHERE id = 1) AS dropped`,
        );
        const row = rows[0]!;
        return { total: Number(row.n), bytes: Number(row.b), dropped: Number(row.dropped) };
      }),
    changes: (after, origin) => read((db) => changes(db, after, origin)),
    watch,
  };
}

async function write(pool: pg.Pool, batch: TranscriptBatch): Promise<TranscriptWriteResult> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toStoreError(error);
  }
  let broken: unknown = undefined;
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL synchronous_commit = off');
    const version = Number(
      (
        await client.query<{ version: number }>(
          'UPDATE transcript_meta SET version = version + 1 WHERE id = 1 RETURNING version',
        )
      ).rows[0]!.version,
    );
    const gone: string[] = [];
    const written = new Set<string>();
    for (const update of batch.updates) {
      const session = update.session;
      const values = [
        version,
        session.endedAt,
        session.user === null ? null : clean(session.user),
        clean(encodeAddresses(session.addresses)),
        session.tls,
        session.lineCount,
        session.droppedLines,
        session.bytes,
        session.id,
      ];
      let seq: number | undefined;
      if (update.isNew) {
        seq = (
          await client.query<{ seq: number }>(
            `INSERT INTO transcript_sessions (version, ended_at, "user", addresses, tls, line_count,
               dropped_lines, bytes, id, origin, protocol, remote_ip, started_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (id) DO NOTHING RETURNING seq`,
            [...values, batch.origin, session.protocol, clean(session.remoteIp), session.startedAt],
          )
        ).rows[0]?.seq;
      }
      seq ??= (
        await client.query<{ seq: number }>(
          `UPDATE transcript_sessions SET version = $1, ended_at = $2, "user" = $3, addresses = $4, tls = $5,
             line_count = $6, dropped_lines = $7, bytes = $8 WHERE id = $9 RETURNING seq`,
          values,
        )
      ).rows[0]?.seq;
      if (seq === undefined) {
        gone.push(session.id);
        continue;
      }
      written.add(session.id);
      if (update.lines.length > 0) {
        await client.query(
          `INSERT INTO transcript_lines (session_seq, idx, version, at, dir, text)
           SELECT $1, t.idx, $2, t.at, t.dir, t.text
           FROM unnest($3::int[], $4::bigint[], $5::text[], $6::text[]) AS t(idx, at, dir, text)
           ON CONFLICT DO NOTHING`,
          [
            seq,
            version,
            update.lines.map((_, i) => update.firstLine + i),
            update.lines.map((line) => line.at),
            update.lines.map((line) => line.dir),
            update.lines.map((line) => clean(line.text)),
          ],
        );
      }
      if (update.links.length > 0) {
        await client.query(
          `INSERT INTO transcript_links (session_seq, line, mailbox_id, uid, action, to_mailbox_id, to_uid)
           SELECT $1, t.line, t.mailbox_id, t.uid, t.action, t.to_mailbox_id, t.to_uid
           FROM unnest($2::int[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[])
             AS t(line, mailbox_id, uid, action, to_mailbox_id, to_uid)`,
          [
            seq,
            update.links.map((link) => link.line),
            update.links.map((link) => link.mailboxId),
            update.links.map((link) => link.uid),
            update.links.map((link) => link.action),
            update.links.map((link) => link.to?.mailboxId ?? null),
            update.links.map((link) => link.to?.uid ?? null),
          ],
        );
      }
    }
    const over = (
      await client.query<{ seq: number; id: string }>(
        `SELECT seq, id FROM (
           SELECT seq, id, ROW_NUMBER() OVER newest AS rank, SUM(bytes) OVER newest AS total
           FROM transcript_sessions WINDOW newest AS (ORDER BY seq DESC ROWS UNBOUNDED PRECEDING)) ranked
         WHERE rank > $1 OR total > $2`,
        [batch.maxSessions, batch.maxBytes],
      )
    ).rows;
    if (over.length > 0) {
      const seqs = over.map((row) => row.seq);
      await client.query('DELETE FROM transcript_lines WHERE session_seq = ANY($1::bigint[])', [seqs]);
      await client.query('DELETE FROM transcript_links WHERE session_seq = ANY($1::bigint[])', [seqs]);
      await client.query('DELETE FROM transcript_sessions WHERE seq = ANY($1::bigint[])', [seqs]);
      await client.query('UPDATE transcript_meta SET dropped = dropped + $1 WHERE id = 1', [over.length]);
      for (const row of over) if (written.has(row.id)) gone.push(row.id);
    }
    await client.query('SELECT pg_notify($1, $2)', [TRANSCRIPTS_CHANNEL, String(version)]);
    const commit = await client.query('COMMIT');
    if (commit.command !== 'COMMIT') throw new Error(`COMMIT answered ${commit.command}`);
    return { gone };
  } catch (error) {
    broken = error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw toStoreError(error);
  } finally {
    client.release(broken instanceof Error ? broken : undefined);
  }
}

async function journey(
  db: Queryable,
  copies: ReadonlyArray<{ mailboxId: number; uid: number }>,
): Promise<TranscriptJourneyStep[]> {
  const wanted = new Map(copies.map((copy) => [copyKey(copy.mailboxId, copy.uid), copy]));
  // Back through COPY/MOVE: the source of a link that made a wanted copy is wanted too.
  let frontier = [...wanted.values()];
  while (frontier.length > 0) {
    const { rows } = await db.query<{ mailbox_id: number; uid: number }>(
      `SELECT l.mailbox_id, l.uid FROM transcript_links l
       JOIN unnest($1::bigint[], $2::bigint[]) AS t(mailbox_id, uid)
         ON l.to_mailbox_id = t.mailbox_id AND l.to_uid = t.uid`,
      [frontier.map((c) => c.mailboxId), frontier.map((c) => c.uid)],
    );
    frontier = [];
    for (const row of rows) {
      const found = { mailboxId: Number(row.mailbox_id), uid: Number(row.uid) };
      const key = copyKey(found.mailboxId, found.uid);
      if (wanted.has(key)) continue;
      wanted.set(key, found);
      frontier.push(found);
    }
  }
  const all = [...wanted.values()];
  const { rows } = await db.query<LinkRow & SessionRow & { link_id: number }>(
    `SELECT l.id AS link_id, l.session_seq, l.line, l.mailbox_id, l.uid, l.action, l.to_mailbox_id, l.to_uid,
            s.seq, s.id, s.protocol, s.remote_ip, s.started_at, s.ended_at, s."user", s.addresses, s.tls,
            s.line_count, s.dropped_lines, s.bytes
     FROM transcript_links l
     JOIN unnest($1::bigint[], $2::bigint[]) AS t(mailbox_id, uid) ON l.mailbox_id = t.mailbox_id AND l.uid = t.uid
     JOIN transcript_sessions s ON s.seq = l.session_seq
     ORDER BY s.started_at, s.seq, l.line, l.id`,
    [all.map((c) => c.mailboxId), all.map((c) => c.uid)],
  );
  const steps = new Map<number, TranscriptJourneyStep>();
  for (const row of rows) {
    const seq = Number(row.seq);
    let step = steps.get(seq);
    if (step === undefined) {
      step = { session: summaryOf(row), links: [] };
      steps.set(seq, step);
    }
    step.links.push(linkOf(row));
  }
  return [...steps.values()];
}

async function changes(db: Queryable, after: number, origin: string): Promise<TranscriptChanges> {
  const version = Number(
    (await db.query<{ version: number }>('SELECT version FROM transcript_meta WHERE id = 1')).rows[0]!
      .version,
  );
  if (version <= after) return { version, sessions: [], lines: [] };
  const sessions = await db.query<SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM transcript_sessions
     WHERE version > $1 AND version <= $2 AND origin <> $3 ORDER BY seq`,
    [after, version, origin],
  );
  const lines = await db.query<{
    id: string;
    idx: number;
    at: number;
    dir: TranscriptLine['dir'];
    text: string;
  }>(
    `SELECT s.id, l.idx, l.at, l.dir, l.text
     FROM transcript_lines l JOIN transcript_sessions s ON s.seq = l.session_seq
     WHERE l.version > $1 AND l.version <= $2 AND s.origin <> $3
     ORDER BY l.version, l.session_seq, l.idx`,
    [after, version, origin],
  );
  return {
    version,
    sessions: sessions.rows.map(summaryOf),
    lines: lines.rows.map((row) => ({
      id: row.id,
      index: Number(row.idx),
      line: { at: Number(row.at), dir: row.dir, text: row.text },
    })),
  };
}
