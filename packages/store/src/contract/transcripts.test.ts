import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores, type TestStore } from '../test-support/temp-store.js';
import type { TranscriptBatch, TranscriptSummary, TranscriptUpdate } from '../core/transcripts.js';

/** A session summary as a recorder would send it. */
function summary(id: string, extra: Partial<TranscriptSummary> = {}): TranscriptSummary {
  return {
    id,
    protocol: 'smtp',
    remoteIp: '127.0.0.1',
    startedAt: 1_700_000_000_000,
    endedAt: null,
    user: null,
    addresses: [],
    tls: false,
    lineCount: 0,
    droppedLines: 0,
    bytes: 256,
    ...extra,
  };
}

function batch(
  origin: string,
  updates: TranscriptUpdate[],
  bounds = { maxSessions: 1000, maxBytes: 1 << 23 },
) {
  const out: TranscriptBatch = { origin, ...bounds, updates };
  return out;
}

/** Resolves once `store` tells its transcript watcher of a write, or rejects after `ms`. */
function nextTranscriptWrite(store: TestStore, ms: number): Promise<number> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no transcript notice within ${ms} ms`));
    }, ms);
    const stop = store.watchTranscripts(() => {
      clearTimeout(timer);
      stop();
      resolve(Date.now() - start);
    });
  });
}

describe('recorded conversations in the store (docs/adr/0035)', () => {
  let temp: TempStores;
  let a: TestStore;
  let b: TestStore;

  beforeEach(async () => {
    temp = new TempStores();
    // Two processes (or nodes) on the same data, each with its own connection.
    a = await temp.open({ changePollIntervalMs: 50 });
    b = await temp.open({ changePollIntervalMs: 50 });
  });
  afterEach(() => temp.cleanup());

  it('what one process writes, in batches, the other reads: sessions, exact lines, links, journeys', async () => {
    await a.writeTranscripts(
      batch('A', [
        {
          session: summary('s1', {
            protocol: 'submission',
            user: 'alice@dev.test',
            addresses: ['alice@dev.test'],
            lineCount: 2,
            bytes: 400,
          }),
          isNew: true,
          firstLine: 0,
          lines: [
            { at: 1, dir: 'S', text: '220 ready' },
            { at: 2, dir: 'C', text: 'EHLO client.test' },
          ],
          links: [],
        },
      ]),
    );
    // The second batch continues the session: later lines, a link, and its end.
    await a.writeTranscripts(
      batch('A', [
        {
          session: summary('s1', {
            protocol: 'submission',
            user: 'alice@dev.test',
            addresses: ['alice@dev.test', 'bob@dev.test'],
            lineCount: 3,
            endedAt: 5,
            tls: true,
            bytes: 480,
          }),
          isNew: false,
          firstLine: 2,
          lines: [{ at: 3, dir: 'S', text: '250 2.0.0 OK: queued as 7-1' }],
          links: [{ mailboxId: 7, uid: 1, action: 'delivered', line: 2 }],
        },
      ]),
    );
    await b.writeTranscripts(
      batch('B', [
        {
          session: summary('s2', {
            protocol: 'imap',
            startedAt: 1_700_000_000_100,
            lineCount: 2,
            bytes: 300,
          }),
          isNew: true,
          firstLine: 0,
          lines: [
            { at: 4, dir: 'C', text: 'A1 UID MOVE 1 Archive' },
            { at: 5, dir: 'S', text: 'A1 OK MOVE completed' },
          ],
          links: [{ mailboxId: 7, uid: 1, action: 'moved', line: 1, to: { mailboxId: 9, uid: 4 } }],
        },
        {
          session: summary('s3', {
            protocol: 'pop3',
            startedAt: 1_700_000_000_200,
            remoteIp: '10.0.0.2',
            lineCount: 1,
            bytes: 290,
          }),
          isNew: true,
          firstLine: 0,
          lines: [{ at: 6, dir: 'C', text: 'RETR 1' }],
          links: [{ mailboxId: 9, uid: 4, action: 'read', line: 0 }],
        },
      ]),
    );

    const s1 = await b.getTranscript('s1');
    expect(s1).toEqual({
      ...summary('s1', {
        protocol: 'submission',
        user: 'alice@dev.test',
        addresses: ['alice@dev.test', 'bob@dev.test'],
        lineCount: 3,
        endedAt: 5,
        tls: true,
        bytes: 480,
      }),
      lines: [
        { at: 1, dir: 'S', text: '220 ready' },
        { at: 2, dir: 'C', text: 'EHLO client.test' },
        { at: 3, dir: 'S', text: '250 2.0.0 OK: queued as 7-1' },
      ],
      links: [{ mailboxId: 7, uid: 1, action: 'delivered', line: 2 }],
    });
    expect(await a.getTranscript('nope')).toBeNull();
    expect((await a.listTranscripts({})).map((s) => s.id)).toEqual(['s3', 's2', 's1']);
    expect((await a.listTranscripts({ protocol: 'imap' })).map((s) => s.id)).toEqual(['s2']);
    expect((await a.listTranscripts({ address: 'BOB@dev' })).map((s) => s.id)).toEqual(['s1']);
    expect((await a.listTranscripts({ remoteIp: '10.0.0.2' })).map((s) => s.id)).toEqual(['s3']);
    expect((await a.listTranscripts({ limit: 1 })).map((s) => s.id)).toEqual(['s3']);

    // The journey of the moved copy (9, 4) follows the MOVE back to its delivery.
    for (const store of [a, b]) {
      const steps = await store.transcriptJourney([{ mailboxId: 9, uid: 4 }]);
      expect(steps.map((step) => [step.session.id, step.links.map((link) => link.action)])).toEqual([
        ['s1', ['delivered']],
        ['s2', ['moved']],
        ['s3', ['read']],
      ]);
    }
    expect(await a.transcriptStats()).toEqual({ total: 3, bytes: 480 + 300 + 290, dropped: 0 });
  });

  it("tells the other process of a write within a second, and hands it only the others' changes", async () => {
    const start = await b.transcriptChanges(Number.MAX_SAFE_INTEGER, 'B');
    const told = nextTranscriptWrite(b, 2_000);
    await a.writeTranscripts(
      batch('A', [
        {
          session: summary('live', { lineCount: 1 }),
          isNew: true,
          firstLine: 0,
          lines: [{ at: 9, dir: 'S', text: '220 hello' }],
          links: [],
        },
      ]),
    );
    expect(await told).toBeLessThan(2_000);
    const changes = await b.transcriptChanges(start.version, 'B');
    expect(changes.sessions.map((s) => s.id)).toEqual(['live']);
    expect(changes.lines).toEqual([{ id: 'live', index: 0, line: { at: 9, dir: 'S', text: '220 hello' } }]);
    // A's own writes are not news to A.
    const own = await a.transcriptChanges(start.version, 'A');
    expect(own.sessions).toEqual([]);
    expect(own.lines).toEqual([]);
    expect((await b.transcriptChanges(changes.version, 'B')).sessions).toEqual([]);
  });

  it('keeps within its bounds by count and by bytes under a flood from two writers, oldest first', async () => {
    const bounds = { maxSessions: 30, maxBytes: 30 * 1024 };
    const line = 'x'.repeat(900);
    let n = 0;
    const write = (store: TestStore, origin: string) => {
      const updates: TranscriptUpdate[] = [];
      for (let i = 0; i < 5; i += 1) {
        n += 1;
        // Sizes vary, so sometimes the byte bound binds first and sometimes the count.
        const lines = 1 + (n % 3);
        updates.push({
          session: summary(`f${n}`, { startedAt: n, lineCount: lines, bytes: 256 + lines * 932 }),
          isNew: true,
          firstLine: 0,
          lines: Array.from({ length: lines }, (_, k) => ({
            at: n,
            dir: 'C' as const,
            text: `${k} ${line}`,
          })),
          links: [{ mailboxId: 1, uid: n, action: 'delivered' as const, line: 0 }],
        });
      }
      return store.writeTranscripts(batch(origin, updates, bounds));
    };
    for (let round = 0; round < 12; round += 1) {
      // In turn, so write order is number order (two writers at once are ordered by the store).
      await write(a, 'A');
      await write(b, 'B');
      const stats = await a.transcriptStats();
      expect(stats.total).toBeLessThanOrEqual(bounds.maxSessions);
      expect(stats.bytes).toBeLessThanOrEqual(bounds.maxBytes);
      const listed = await b.listTranscripts({ limit: 1000 });
      expect(listed).toHaveLength(stats.total);
      expect(listed.reduce((sum, s) => sum + s.bytes, 0)).toBe(stats.bytes);
      expect(stats.dropped).toBe(n - stats.total);
    }
    // What is kept is the newest; lines and links of the dropped went with them.
    const kept = await a.listTranscripts({ limit: 1000 });
    const ids = kept.map((s) => Number(s.id.slice(1)));
    expect(Math.min(...ids)).toBe(n - kept.length + 1);
    expect(await a.transcriptJourney([{ mailboxId: 1, uid: 1 }])).toEqual([]);
    const rows = await temp.query('SELECT COUNT(*) AS c FROM transcript_lines');
    const expectedLines = ids.reduce((sum, id) => sum + 1 + (id % 3), 0);
    expect(Number(rows[0]!['c'])).toBe(expectedLines);

    // A session dropped by the bounds is reported gone when its recorder writes again.
    const result = await a.writeTranscripts(
      batch(
        'A',
        [{ session: summary('f1', { endedAt: 1 }), isNew: false, firstLine: 1, lines: [], links: [] }],
        bounds,
      ),
    );
    expect(result.gone).toEqual(['f1']);
    expect(await a.getTranscript('f1')).toBeNull();
  });

  it('stores a NUL a hostile client sent without failing the batch', async () => {
    await a.writeTranscripts(
      batch('A', [
        {
          session: summary('nul', { lineCount: 1 }),
          isNew: true,
          firstLine: 0,
          lines: [{ at: 1, dir: 'C', text: 'HELO a\0b' }],
          links: [],
        },
      ]),
    );
    const text = (await b.getTranscript('nul'))!.lines[0]!.text;
    expect(['HELO a\0b', 'HELO a\uFFFDb']).toContain(text);
  });
});
