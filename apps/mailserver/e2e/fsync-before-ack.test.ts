/**
 * "Acknowledge only after the store has committed durably", checked at the system-call level: the
 * real CLI runs under strace, and every `250` after DATA must be written to the socket only after an
 * fdatasync/fsync of the WAL has completed, following the WAL writes of that message's commit
 * (ADR 0012). A SIGKILL test cannot show this: the kernel keeps written pages when a process dies,
 * so only a power cut would tell an acknowledged-but-unsynced write apart.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RawClient } from '@minimail/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cliEnv,
  freePort,
  REPLY,
  sendOneMessage,
  startServer,
  tempDataDir,
  type RunningServer,
} from './support.js';

const MESSAGES_ON_ONE_CONNECTION = 8;
const MESSAGES_ON_NEW_CONNECTIONS = 4;

/** strace present and allowed to trace (some containers forbid ptrace). */
const straceWorks = spawnSync('strace', ['-f', '-qq', '-e', 'trace=none', 'true']).status === 0;
if (!straceWorks) console.warn('fsync-before-ack: strace is missing or cannot trace here; test skipped');

interface TraceEvent {
  kind: 'wal-write' | 'wal-sync-done' | 'ack-write';
  line: number;
}

/**
 * Reads an `strace -f -y` log into the three events that matter, in the order strace saw them.
 * A syscall split by another thread appears as `name(args <unfinished ...>` and later
 * `<... name resumed>) = result`; the sync counts when it has returned, the write when it starts.
 */
function parseTrace(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  const unfinishedWalSync = new Set<string>();
  text.split('\n').forEach((entry, line) => {
    const pid = entry.split(' ', 1)[0] ?? '';
    if (/ pwrite64\(\d+<[^>]*-wal>/.test(entry)) events.push({ kind: 'wal-write', line });
    const sync = / f(?:data)?sync\(\d+<[^>]*-wal>\)?(.*)$/.exec(entry);
    if (sync !== null) {
      if (sync[1]?.includes('<unfinished')) unfinishedWalSync.add(pid);
      else if (/= 0$/.test(entry)) events.push({ kind: 'wal-sync-done', line });
    }
    if (/<\.\.\. f(?:data)?sync resumed>\) += 0$/.test(entry) && unfinishedWalSync.delete(pid)) {
      events.push({ kind: 'wal-sync-done', line });
    }
    if (/ writev?\(\d+<socket:/.test(entry) && entry.includes('250 2.6.0')) {
      events.push({ kind: 'ack-write', line });
    }
  });
  return events;
}

describe.skipIf(!straceWorks)('acknowledged only after the WAL fsync (strace)', () => {
  let data: ReturnType<typeof tempDataDir> | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    data?.cleanup();
  });

  it('writes every 250 after DATA only once an fdatasync of the WAL has followed its commit', async () => {
    data = tempDataDir();
    const port = await freePort();
    const tracePath = path.join(data.dir, 'strace.log');
    const strace = ['strace', '-f', '-y', '-qq', '-e', 'trace=pwrite64,fdatasync,fsync,write,writev'];
    server = await startServer(
      ['--services', 'smtp'],
      cliEnv(data.dir, { MINIMAIL_SMTP_PORT: String(port) }),
      [...strace, '-o', tracePath],
    );
    // Messages are sent one after another, so the WAL writes just before each 250 are its own commit.
    const send = (client: RawClient, id: string): Promise<void> =>
      sendOneMessage(client, {
        from: 'app@client.test',
        to: 'someone@example.test',
        raw: `Subject: ${id}\r\nMessage-ID: <${id}@client.test>\r\n\r\n${'body line\r\n'.repeat(200)}`,
      });
    const open = async (): Promise<RawClient> => {
      const client = await RawClient.connect(port);
      await client.expect(REPLY.smtpGreeting);
      return client;
    };
    const reused = await open();
    for (let i = 0; i < MESSAGES_ON_ONE_CONNECTION; i++) await send(reused, `reused-${i}`);
    await reused.close();
    for (let i = 0; i < MESSAGES_ON_NEW_CONNECTIONS; i++) {
      const client = await open();
      await send(client, `new-${i}`);
      await client.close();
    }

    // Stop node itself (pino's pid), gracefully: killing strace would detach it and leave it running.
    const ready = JSON.parse(await server.waitFor(/minimail ready/)) as { pid: number };
    process.kill(ready.pid, 'SIGTERM');
    await server.exited;
    server = undefined;

    const events = parseTrace(readFileSync(tracePath, 'utf8'));
    const acks = events.filter((event) => event.kind === 'ack-write');
    expect(acks).toHaveLength(MESSAGES_ON_ONE_CONNECTION + MESSAGES_ON_NEW_CONNECTIONS);
    for (const ack of acks) {
      const before = events.filter((event) => event.line < ack.line);
      const lastWalWrite = before.filter((event) => event.kind === 'wal-write').at(-1);
      expect(lastWalWrite, `WAL write before the 250 on trace line ${ack.line}`).toBeDefined();
      const syncedSince = before.some(
        (event) => event.kind === 'wal-sync-done' && event.line > (lastWalWrite?.line ?? Infinity),
      );
      expect(syncedSince, `WAL fsync between the commit and the 250 on trace line ${ack.line}`).toBe(true);
    }
  }, 60_000);
});
