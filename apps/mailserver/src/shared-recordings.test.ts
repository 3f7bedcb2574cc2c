/**
 * SharedTranscriptBook over the real store (docs/adr/0035): two books on two stores on one SQLite
 * file stand for two processes. Recording never waits for the store; batches carry the news; the
 * other process sees it (reads and the live stream); the bounds drop the oldest and stop their
 * recorders' writes; close() writes what was still buffered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RECORDING_FLUSH_MS, SharedTranscriptBook, type RecordingEvent } from '@minimail/protocol';
import { openStore, type MailStore } from '@minimail/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

describe('SharedTranscriptBook (recorded conversations in the shared store)', () => {
  let dir: string;
  let storeA: MailStore;
  let storeB: MailStore;
  const books: SharedTranscriptBook[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'minimail-recordings-'));
    const file = path.join(dir, 'minimail.sqlite');
    storeA = openStore({ path: file, changePollIntervalMs: 50 });
    storeB = openStore({ path: file, changePollIntervalMs: 50 });
  });
  afterEach(async () => {
    for (const book of books.splice(0)) await book.close();
    await storeA.close();
    await storeB.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function book(store: MailStore, limits: { maxSessions?: number; maxBytes?: number } = {}) {
    const made = new SharedTranscriptBook(store, limits);
    books.push(made);
    return made;
  }

  it('records without touching the store, writes in batches, and the other process reads and streams it', async () => {
    const a = book(storeA);
    const b = book(storeB);
    const writes: number[] = [];
    const write = storeA.writeTranscripts.bind(storeA);
    storeA.writeTranscripts = (batch) => {
      writes.push(batch.updates.reduce((sum, update) => sum + update.lines.length, 0));
      return write(batch);
    };
    const live: RecordingEvent[] = [];
    const stop = b.subscribe((event) => live.push(event));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const pop = a.open({ id: 'pop-1', protocol: 'pop3', remoteIp: '127.0.0.1' });
    pop.server('+OK ready');
    pop.client('USER bob@dev.test');
    pop.server('+OK');
    pop.client('PASS hunter2');
    pop.server('+OK logged in');
    pop.user('bob@dev.test');
    pop.client('RETR 1');
    pop.link(3, 1, 'read');
    pop.server('+OK 42 octets');
    // Nothing reached the store while the session spoke: recording is memory only.
    expect(writes).toEqual([]);
    pop.close();

    // The other process sees it, from its own store connection, within a batch and a poll.
    const deadline = Date.now() + 5_000;
    while (!live.some((event) => event.kind === 'line' && event.line.text === '+OK 42 octets')) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stop();
    expect(writes.length).toBeGreaterThanOrEqual(1);
    // One batch for the whole burst (written after RECORDING_FLUSH_MS, not line by line).
    expect(writes[0]).toBe(7);
    expect(RECORDING_FLUSH_MS).toBeLessThanOrEqual(1_000);
    const lines = live.filter((event) => event.kind === 'line').map((event) => event.line.text);
    expect(lines).toEqual([
      '+OK ready',
      'USER bob@dev.test',
      '+OK',
      'PASS ***',
      '+OK logged in',
      'RETR 1',
      '+OK 42 octets',
    ]);

    const record = await b.session('pop-1');
    expect(record?.lines.map((line) => `${line.dir} ${line.text}`)).toEqual([
      'S +OK ready',
      'C USER bob@dev.test',
      'S +OK',
      'C PASS ***',
      'S +OK logged in',
      'C RETR 1',
      'S +OK 42 octets',
    ]);
    expect(record?.links).toEqual([{ mailboxId: 3, uid: 1, action: 'read', line: 6 }]);
    expect(record?.user).toBe('bob@dev.test');
    expect(record?.endedAt).not.toBeNull();
    const journey = await b.messageJourney([{ mailboxId: 3, uid: 1 }]);
    expect(journey.map((step) => step.session.id)).toEqual(['pop-1']);
  });

  it('keeps the shared table within its bounds; a dropped session stops being written', async () => {
    const a = book(storeA, { maxSessions: 3, maxBytes: 64 * 1024 });
    const b = book(storeB, { maxSessions: 3, maxBytes: 64 * 1024 });
    const first = a.open({ id: 'old', protocol: 'smtp', remoteIp: '127.0.0.1' });
    first.server('220 hello');
    await a.flush();
    for (let i = 0; i < 4; i += 1) {
      const recorder = b.open({ id: `new-${i}`, protocol: 'imap', remoteIp: '127.0.0.1' });
      recorder.server('* OK ready');
      recorder.close();
    }
    await b.flush();
    expect(await a.stats()).toEqual({ total: 3, bytes: expect.any(Number), dropped: 2 });
    // The old session goes on talking: it is not written back.
    first.client('QUIT');
    first.close();
    await a.flush();
    expect(await b.session('old')).toBeNull();
    expect((await a.sessions()).map((s) => s.id)).toEqual(['new-3', 'new-2', 'new-1']);
  });

  it('close() writes what is still buffered', async () => {
    const a = book(storeA);
    const recorder = a.open({ id: 'last', protocol: 'smtp', remoteIp: '127.0.0.1' });
    recorder.server('221 bye');
    recorder.close();
    await a.close();
    const record = await storeB.getTranscript('last');
    expect(record?.lines.map((line) => line.text)).toEqual(['221 bye']);
  });
});
