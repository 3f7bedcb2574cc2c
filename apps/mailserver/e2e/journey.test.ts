import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { IMAP_COMMAND_NAMES } from '@minimail/imap';
import { POP3_COMMAND_NAMES } from '@minimail/pop3';
import { REPLIES as SMTP_REPLIES, SMTP_COMMANDS } from '@minimail/smtp';
import { cliEnv, freePort, startServer, tempDataDir, type RunningServer } from './support.js';

const run = promisify(execFile);
const CLIENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients', 'journey_clients.py');
const PASSWORD = 'Tr4vel-s3cret';
/** The flood's bounds, set small (MINIMAIL_RECORD_MAX_*) so the test crosses them many times. */
const MAX_SESSIONS = 40;
const MAX_BYTES = 48 * 1024;

interface Summary {
  id: string;
  protocol: string;
  remoteIp: string;
  startedAt: number;
  user: string | null;
  tls: boolean;
  endedAt: number | null;
  bytes: number;
}
interface Transcript extends Summary {
  lines: Array<{ at: number; dir: 'C' | 'S' | '-'; text: string }>;
  links: Array<{ mailboxId: number; uid: number; action: string; line: number }>;
}
interface Journey {
  ID: string;
  steps: Array<{ session: Summary; links: Transcript['links'] }>;
}

/** What the transcript must show for a line the client sent: the same line, or its password masked. */
function masked(line: string): string {
  const auth = /^(AUTH \S+) \S+$/i.exec(line);
  if (auth) return `${auth[1]} ***`;
  if (/^PASS /i.test(line)) return 'PASS ***';
  const login = /^(\S+ LOGIN) /i.exec(line);
  if (login) return `${login[1]} ***`;
  return line;
}

/** One SMTP session by hand: greeting, EHLO, QUIT (the flood). */
function shortSmtpSession(port: number, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = '';
    let step = 0;
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (!buffer.endsWith('\r\n')) return;
      const last = buffer.trimEnd().split('\r\n').pop() ?? '';
      buffer = '';
      if (/^\d{3}-/.test(last)) return;
      if (step === 0) socket.write(`EHLO flood-${i}.test\r\n`);
      else if (step === 1) socket.write('QUIT\r\n');
      step += 1;
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

describe('the journey of a message (issue 16): smtplib, poplib and imaplib against minimail serve', () => {
  let server: RunningServer | undefined;
  const data = tempDataDir();
  afterAll(() => data.cleanup());
  afterEach(async () => {
    await server?.stop('SIGTERM');
    server = undefined;
  });

  it('lists the three sessions in order with the exact client lines, passwords masked; the store stays bounded', async () => {
    const [submission, smtp, pop3, imap, http] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    server = await startServer(
      ['--services', 'smtp,submission,pop3,imap,http'],
      cliEnv(data.dir, {
        MINIMAIL_SUBMISSION_PORT: String(submission),
        MINIMAIL_SMTP_PORT: String(smtp),
        MINIMAIL_POP3_PORT: String(pop3),
        MINIMAIL_IMAP_PORT: String(imap),
        MINIMAIL_HTTP_PORT: String(http),
        MINIMAIL_RECORD_MAX_SESSIONS: String(MAX_SESSIONS),
        MINIMAIL_RECORD_MAX_BYTES: String(MAX_BYTES),
      }),
    );
    const api = `http://127.0.0.1:${http}/api/v1`;
    const get = async <T>(url: string): Promise<T> => {
      const response = await fetch(`${api}${url}`);
      expect(response.status, url).toBe(200);
      return (await response.json()) as T;
    };

    const { stdout } = await run('python3', [
      CLIENTS,
      String(submission),
      String(pop3),
      String(imap),
      PASSWORD,
    ]);
    const sent = JSON.parse(stdout) as { smtp: string[]; pop3: string[]; imap: string[] };
    expect(sent.pop3).toEqual(['USER bob@dev.test', `PASS ${PASSWORD}`, 'STAT', 'RETR 1', 'QUIT']);

    const { messages } = await get<{ messages: Array<{ ID: string; Subject: string }> }>('/messages');
    expect(messages.map((m) => m.Subject)).toEqual(['journey']);
    const journey = await get<Journey>(`/message/${messages[0]!.ID}/journey`);
    expect(journey.ID).toBe(messages[0]!.ID);
    expect(journey.steps.map((step) => step.session.protocol)).toEqual(['submission', 'pop3', 'imap']);
    expect(journey.steps.map((step) => step.links.map((link) => link.action))).toEqual([
      ['delivered'],
      ['read'],
      ['read', 'flagged'],
    ]);
    const starts = journey.steps.map((step) => step.session.startedAt);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(journey.steps.map((step) => step.session.user)).toEqual([
      'alice@dev.test',
      'bob@dev.test',
      'bob@dev.test',
    ]);

    for (const [index, protocol] of (['smtp', 'pop3', 'imap'] as const).entries()) {
      const step = journey.steps[index]!;
      const transcript = await get<Transcript>(`/sessions/${step.session.id}`);
      const clientLines = transcript.lines.filter((line) => line.dir === 'C').map((line) => line.text);
      // Every command line the client put on the wire is there, in order, its password masked.
      const expected = sent[protocol].map(masked);
      expect(clientLines.filter((line) => expected.includes(line))).toEqual(expected);
      expect(expected.some((line) => line.endsWith('***'))).toBe(true);
      expect(JSON.stringify(transcript)).not.toContain(PASSWORD);
      // Each link points at the server line that did it.
      for (const link of step.links) expect(transcript.lines[link.line]?.dir).toBe('S');
      const text = await fetch(`${api}/sessions/${step.session.id}/transcript.txt`);
      expect(text.headers.get('content-disposition')).toMatch(/^attachment; filename="minimail-/);
      const body = await text.text();
      expect(body).not.toContain(PASSWORD);
      expect(body).toContain(`C: ${expected.at(-1)}`);
    }

    const smtpTranscript = await get<Transcript>(`/sessions/${journey.steps[0]!.session.id}`);
    // STARTTLS is marked where the conversation went into TLS.
    expect(journey.steps[0]!.session.tls).toBe(true);
    const texts = smtpTranscript.lines.map((line) => `${line.dir} ${line.text}`);
    const tlsAt = texts.indexOf('- [TLS started: what follows is encrypted on the wire]');
    expect(texts.slice(tlsAt - 2, tlsAt)).toEqual(['C STARTTLS', 'S 220 2.0.0 Ready to start TLS']);
    expect(texts.indexOf('C AUTH PLAIN ***')).toBeGreaterThan(tlsAt);
    const delivered = smtpTranscript.lines[journey.steps[0]!.links[0]!.line]!;
    expect(delivered.text).toMatch(/^250 /);
    // The body is elided past a few lines, with its size; the durable commit names the stored hash.
    const notes = smtpTranscript.lines.filter((line) => line.dir === '-').map((line) => line.text);
    expect(notes.some((note) => /^\[message body, \d+ octets; \d+ more octets not shown\]$/.test(note))).toBe(
      true,
    );
    expect(notes.some((note) => /^\[stored durably: sha256 [0-9a-f]{64};/.test(note))).toBe(true);
    expect(smtpTranscript.lines.map((line) => line.text)).not.toContain(
      'this message travels by SMTP and comes back by POP3 and IMAP.',
    );

    // Filters: by protocol, by address, by client IP.
    const byProtocol = await get<{ sessions: Summary[] }>('/sessions?protocol=pop3');
    expect(byProtocol.sessions.map((s) => s.id)).toEqual([journey.steps[1]!.session.id]);
    const byAddress = await get<{ sessions: Summary[] }>('/sessions?address=alice%40dev');
    expect(byAddress.sessions.map((s) => s.id)).toEqual([journey.steps[0]!.session.id]);
    const byIp = await get<{ sessions: Summary[] }>('/sessions?ip=127.0.0.1');
    expect(byIp.sessions).toHaveLength(3);

    // A flood of sessions: the store keeps within its bounds, dropping the oldest.
    for (let batch = 0; batch < 6; batch += 1) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => shortSmtpSession(smtp, batch * 20 + i)));
      const now = await get<{ total: number; bytes: number; dropped: number; sessions: Summary[] }>(
        '/sessions?limit=1000',
      );
      expect(now.total).toBeLessThanOrEqual(MAX_SESSIONS);
      expect(now.bytes).toBeLessThanOrEqual(MAX_BYTES);
      expect(now.sessions.reduce((sum, s) => sum + s.bytes, 0)).toBe(now.bytes);
    }
    const after = await get<{ total: number; dropped: number; sessions: Summary[] }>('/sessions?limit=1000');
    expect(after.dropped).toBe(123 - after.total);
    expect(after.sessions.every((s) => s.protocol === 'smtp')).toBe(true);
    const gone = await fetch(`${api}/sessions/${journey.steps[0]!.session.id}`);
    expect(gone.status).toBe(404);

    // The annotations cover every command each server knows, and every SMTP reply code it sends.
    const annotations =
      await get<Record<string, { commands: Record<string, unknown>; replies: Record<string, unknown> }>>(
        '/annotations',
      );
    for (const name of SMTP_COMMANDS) expect(annotations['smtp']!.commands, name).toHaveProperty([name]);
    for (const reply of Object.values(SMTP_REPLIES))
      expect(annotations['smtp']!.replies, String(reply.code)).toHaveProperty([String(reply.code)]);
    for (const name of POP3_COMMAND_NAMES) expect(annotations['pop3']!.commands, name).toHaveProperty([name]);
    for (const name of IMAP_COMMAND_NAMES) expect(annotations['imap']!.commands, name).toHaveProperty([name]);

    // The OpenAPI document describes the new paths.
    const openapi = await get<{ paths: Record<string, unknown> }>('/openapi.json');
    for (const p of [
      '/api/v1/sessions',
      '/api/v1/sessions/{id}',
      '/api/v1/sessions/{id}/transcript.txt',
      '/api/v1/message/{ID}/journey',
      '/api/v1/annotations',
    ])
      expect(Object.keys(openapi.paths)).toContain(p);
  });

  it('records nothing when MINIMAIL_RECORD_SESSIONS is false (the production default)', async () => {
    const http = await freePort();
    server = await startServer(
      ['--services', 'http'],
      cliEnv(data.dir, { MINIMAIL_HTTP_PORT: String(http), MINIMAIL_RECORD_SESSIONS: 'false' }),
    );
    const response = await fetch(`http://127.0.0.1:${http}/api/v1/sessions`);
    expect(await response.json()).toEqual({ recording: false, total: 0, bytes: 0, dropped: 0, sessions: [] });
  });
});
