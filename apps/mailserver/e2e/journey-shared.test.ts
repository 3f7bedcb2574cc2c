/**
 * Recorded conversations shared through the store (issue 16, docs/adr/0035): two `minimail serve`
 * processes on one store (one SQLite file; in the `e2e on postgres` project, one database in the
 * private cluster), SMTP into process A, POP3 and IMAP from process B. Both processes' HTTP APIs
 * show the whole journey with the exact lines; B's live stream shows A's session as it happens;
 * IMAP APPEND and CLOSE are steps of the journey; a flood keeps the table within its bounds.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RawClient } from '@minimail/protocol/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cliEnv, freePort, startServer, tempDataDir, type RunningServer } from './support.js';

const run = promisify(execFile);
const CLIENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients', 'journey_clients.py');
const PASSWORD = 'Sh4red-s3cret';
const MAX_SESSIONS = 30;
const MAX_BYTES = 40 * 1024;

interface Summary {
  id: string;
  protocol: string;
  startedAt: number;
  user: string | null;
  bytes: number;
}
interface Link {
  mailboxId: number;
  uid: number;
  action: string;
  line: number;
}
interface Transcript extends Summary {
  lines: Array<{ at: number; dir: 'C' | 'S' | '-'; text: string }>;
  links: Link[];
}
interface Journey {
  ID: string;
  steps: Array<{ session: Summary; links: Link[] }>;
}

function masked(line: string): string {
  const auth = /^(AUTH \S+) \S+$/i.exec(line);
  if (auth) return `${auth[1]} ***`;
  if (/^PASS /i.test(line)) return 'PASS ***';
  const login = /^(\S+ LOGIN) /i.exec(line);
  if (login) return `${login[1]} ***`;
  return line;
}

/** One SMTP session by hand: greeting, EHLO, QUIT (the flood). */
async function shortSmtpSession(port: number, i: number): Promise<void> {
  const client = await RawClient.connect(port);
  await client.readSmtpReply();
  client.send(`EHLO flood-${i}.test`);
  await client.readSmtpReply();
  client.send('QUIT');
  await client.readSmtpReply();
  await client.close();
}

/** Reads a server-sent event stream until `match` sees an event; resolves with ms it took. */
async function untilEvent(
  url: string,
  match: (event: string, data: unknown) => boolean,
  started: () => void,
  timeoutMs: number,
): Promise<number> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let since = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended');
      buffer += decoder.decode(value, { stream: true });
      if (since === 0 && buffer.includes('retry:')) {
        since = Date.now();
        started();
      }
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined && match(event, JSON.parse(data)))
          return Date.now() - since;
      }
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

describe('recorded conversations shared by two processes on one store (docs/adr/0035)', () => {
  const servers: RunningServer[] = [];
  const data = tempDataDir();
  afterAll(() => data.cleanup());
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop('SIGTERM');
  });

  it('SMTP into A, POP3 and IMAP from B: both APIs show every step with its exact lines; APPEND and CLOSE are steps; bounded', async () => {
    const [submission, smtp, httpA, pop3, imap, httpB] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const bounds = {
      MINIMAIL_RECORD_MAX_SESSIONS: String(MAX_SESSIONS),
      MINIMAIL_RECORD_MAX_BYTES: String(MAX_BYTES),
    };
    const a = await startServer(
      ['--services', 'smtp,submission,http'],
      cliEnv(data.dir, {
        MINIMAIL_SUBMISSION_PORT: String(submission),
        MINIMAIL_SMTP_PORT: String(smtp),
        MINIMAIL_HTTP_PORT: String(httpA),
        ...bounds,
      }),
    );
    servers.push(a);
    const b = await startServer(
      ['--services', 'pop3,imap,http'],
      cliEnv(data.dir, {
        MINIMAIL_POP3_PORT: String(pop3),
        MINIMAIL_IMAP_PORT: String(imap),
        MINIMAIL_HTTP_PORT: String(httpB),
        ...bounds,
      }),
    );
    servers.push(b);
    // Both on the one store this project runs on (the SQLite file, or the cluster's database).
    const kind = process.env['MINIMAIL_E2E_ON_POSTGRES'] === '1' ? 'postgresql' : 'sqlite';
    for (const server of [a, b]) expect(server.output()).toContain(`store: ${kind})`);
    const apiA = `http://127.0.0.1:${httpA}/api/v1`;
    const apiB = `http://127.0.0.1:${httpB}/api/v1`;
    const get = async <T>(url: string): Promise<T> => {
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      return (await response.json()) as T;
    };
    /**
     * A process writes its recordings every RECORDING_FLUSH_MS, so the other process's view of a
     * session that just ended may lag that much: wait (wide margin) until `steps` steps are there.
     */
    const journeyOf = async (api: string, id: string, steps: number): Promise<Journey> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const journey = await get<Journey>(`${api}/message/${id}/journey`);
        const closed = await Promise.all(
          journey.steps.map(
            async (step) =>
              (await get<Summary & { endedAt: number | null }>(`${api}/sessions/${step.session.id}`)).endedAt,
          ),
        );
        if ((journey.steps.length >= steps && closed.every((at) => at !== null)) || Date.now() > deadline)
          return journey;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    // B's live view is open before anything happens; A's submission session must appear in it.
    let streamOpen!: () => void;
    const opened = new Promise<void>((resolve) => (streamOpen = resolve));
    let sentAt = 0;
    const seenLive = untilEvent(
      `${apiB}/sessions/events`,
      // A's submission session with a line said after the message (the 250 of its DATA).
      (event, payload) =>
        event === 'line' &&
        /^250 2\.6\.0 Message accepted for delivery/.test((payload as { line: { text: string } }).line.text),
      () => streamOpen(),
      20_000,
    );
    await opened;
    sentAt = Date.now();
    const { stdout } = await run('python3', [
      CLIENTS,
      String(submission),
      String(pop3),
      String(imap),
      PASSWORD,
    ]);
    const sent = JSON.parse(stdout) as { smtp: string[]; pop3: string[]; imap: string[] };
    await seenLive;
    // Within a second or two of being said in A (the SMTP client's whole session included); wide margin.
    expect(Date.now() - sentAt).toBeLessThan(15_000);

    const { messages } = await get<{ messages: Array<{ ID: string; Subject: string }> }>(`${apiA}/messages`);
    const id = messages.find((m) => m.Subject === 'journey')!.ID;
    for (const api of [apiA, apiB]) {
      const journey = await journeyOf(api, id, 3);
      expect(journey.steps.map((step) => step.session.protocol)).toEqual(['submission', 'pop3', 'imap']);
      expect(journey.steps.map((step) => step.links.map((link) => link.action))).toEqual([
        ['delivered'],
        ['read'],
        ['read', 'flagged'],
      ]);
      for (const [index, protocol] of (['smtp', 'pop3', 'imap'] as const).entries()) {
        const step = journey.steps[index]!;
        const transcript = await get<Transcript>(`${api}/sessions/${step.session.id}`);
        const clientLines = transcript.lines.filter((line) => line.dir === 'C').map((line) => line.text);
        const expected = sent[protocol].map(masked);
        expect(clientLines.filter((line) => expected.includes(line))).toEqual(expected);
        expect(JSON.stringify(transcript)).not.toContain(PASSWORD);
        for (const link of step.links) expect(transcript.lines[link.line]?.dir).toBe('S');
      }
      const smtpTranscript = await get<Transcript>(`${api}/sessions/${journey.steps[0]!.session.id}`);
      expect(smtpTranscript.lines[journey.steps[0]!.links[0]!.line]!.text).toMatch(/^250 /);
      const imapTranscript = await get<Transcript>(`${api}/sessions/${journey.steps[2]!.session.id}`);
      expect(imapTranscript.lines.at(-1)?.text).toMatch(/^\S+ OK .*LOGOUT/);
    }

    // IMAP APPEND (in B) is the first step of a message made over IMAP; CLOSE's silent expunge its last.
    const client = await RawClient.connect(imap);
    await client.readLine();
    client.send(`a1 LOGIN bob@dev.test ${PASSWORD}`);
    await client.readTagged('a1');
    const body = 'From: bob@dev.test\r\nSubject: appended\r\n\r\nmade over IMAP\r\n';
    client.send(`a2 APPEND INBOX {${Buffer.byteLength(body)}}`);
    await client.expect(/^\+ /);
    client.sendRaw(`${body}\r\n`);
    const appended = (await client.readTagged('a2')).at(-1)!;
    const appendUid = /^a2 OK \[APPENDUID (\d+) (\d+)\] APPEND completed$/.exec(appended);
    expect(appendUid, appended).not.toBeNull();
    const uid = Number(appendUid![2]);
    const caught = await get<{ messages: Array<{ ID: string; Subject: string }> }>(`${apiA}/messages`);
    const appendedId = caught.messages.find((m) => m.Subject === 'appended')!.ID;
    expect(appendedId).toMatch(new RegExp(`^\\d+-${uid}$`));
    client.send('a3 SELECT INBOX');
    await client.readTagged('a3');
    client.send(`a4 UID STORE ${uid} +FLAGS (\\Deleted)`);
    await client.readTagged('a4');
    client.send('a5 CLOSE');
    expect((await client.readTagged('a5')).at(-1)).toBe('a5 OK CLOSE completed');
    client.send('a6 LOGOUT');
    await client.readTagged('a6');
    await client.close();
    for (const api of [apiB, apiA]) {
      const journey = await journeyOf(api, appendedId, 1);
      expect(journey.steps.map((step) => step.session.protocol)).toEqual(['imap']);
      const links = journey.steps[0]!.links;
      expect(links.map((link) => link.action)).toEqual(['appended', 'flagged', 'deleted']);
      const transcript = await get<Transcript>(`${api}/sessions/${journey.steps[0]!.session.id}`);
      expect(links.map((link) => transcript.lines[link.line]!.text)).toEqual([
        appended,
        // The STORE's step is the untagged FETCH that told the new flags.
        expect.stringMatching(new RegExp(`^\\* \\d+ FETCH \\(UID ${uid} FLAGS \\(\\\\Deleted`)),
        'a5 OK CLOSE completed',
      ]);
    }

    // A flood of sessions into A: the shared table stays within its bounds, seen from either process.
    for (let batch = 0; batch < 5; batch += 1) {
      await Promise.all(Array.from({ length: 15 }, (_, i) => shortSmtpSession(smtp, batch * 15 + i)));
      for (const api of [apiA, apiB]) {
        const now = await get<{ total: number; bytes: number; dropped: number; sessions: Summary[] }>(
          `${api}/sessions?limit=1000`,
        );
        expect(now.total).toBeLessThanOrEqual(MAX_SESSIONS);
        expect(now.bytes).toBeLessThanOrEqual(MAX_BYTES);
        expect(now.sessions).toHaveLength(now.total);
      }
    }
    // Every session (3 + 1 APPEND session + 75) was kept or counted as dropped, once.
    const after = await get<{ total: number; dropped: number; bytes: number; sessions: Summary[] }>(
      `${apiB}/sessions?limit=1000`,
    );
    expect(after.total + after.dropped).toBe(79);
    expect(after.sessions.reduce((sum, s) => sum + s.bytes, 0)).toBe(after.bytes);
    expect(after.sessions.every((s) => s.protocol === 'smtp')).toBe(true);
  });
});
