/**
 * Issue 11, memory a logged-in user can take: 40 parallel 64 MiB APPENDs (LITERAL+, so each
 * client sends its whole message without waiting) took the process from 114 MB to 2.3 GB, and it
 * stayed at 2.5 GB after they closed. A message memory budget then bounded it by refusing the
 * excess with `NO [LIMIT]`. Now (docs/adr/0027) a literal above the spool threshold is written to
 * a spool file in the data dir while it arrives and the store reads it from there under its own
 * load bound, so all 40 are accepted and stored, memory stays bounded, and no spool file outlives
 * its connection: stored, refused, aborted, timed out, at SIGTERM, or on a full disk.
 *
 * The server runs in a child process so that its resident memory is measured alone.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@minimail/store';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const CHILD_SCRIPT = fileURLToPath(new URL('./test-support/append-memory-child.mjs', import.meta.url));
const MiB = 1024 * 1024;
const MESSAGE_SIZE = 64 * MiB;
const PARALLEL = 40;
/**
 * What the burst may add to the warm process's resident memory. Per connection while a literal
 * arrives: its socket chunks and at most the spool writer's 1 MiB queue (40 MiB in all); for the
 * commits: the store's spooled load bound (128 MiB, two 64 MiB messages at once) times the
 * working copies of a write (the read buffer, its copy on the writer thread, SQLite's bound copy,
 * the MIME description). Before the spool: 2.3 GB for the same burst.
 */
const RSS_BOUND = 768 * MiB;

interface Child {
  process: ChildProcess;
  port: number;
  dataDir: string;
  spoolDir: string;
}

const children: Child[] = [];
const dirs: string[] = [];

async function startChild(limits: object = {}): Promise<Child> {
  const dataDir = mkdtempSync(join(tmpdir(), 'minimail-imap-spool-'));
  dirs.push(dataDir);
  const spoolDir = join(dataDir, 'spool');
  const child = spawn(process.execPath, [CHILD_SCRIPT, dataDir, JSON.stringify(limits)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /port (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
  });
  const started = { process: child, port, dataDir, spoolDir };
  children.push(started);
  return started;
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  await exited;
}

/** The child's own count of entries in its spool directory (it may be a mount only it sees). */
function spoolFiles(child: Child): Promise<number> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer): void => {
      const match = /files (\d+)/.exec(chunk.toString());
      if (!match) return;
      child.process.stdout!.off('data', onData);
      resolve(Number(match[1]));
    };
    child.process.stdout!.on('data', onData);
    child.process.kill('SIGUSR2');
  });
}

async function settle<T>(read: () => T | Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const until = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

afterEach(async () => {
  await Promise.all(children.splice(0).map(stopChild));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function rssBytes(child: Child): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.process.pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** The shared body of the big messages: 76-octet lines, ending in CRLF. */
function bigBody(size: number): Buffer {
  const body = Buffer.alloc(size, 'a');
  for (let i = 76; i + 1 < size; i += 78) {
    body[i] = 0x0d;
    body[i + 1] = 0x0a;
  }
  body.write('\r\n', 0, 'latin1');
  body.write('\r\n', size - 2, 'latin1');
  return body;
}

/**
 * A distinct header per message before the shared body, so every message is its own body; all of
 * one length, so header and body make exactly 64 MiB (the APPEND limit).
 */
const headerFor = (user: string): Buffer => Buffer.from(`Subject: big for ${user.padEnd(40)}\r\n`, 'latin1');
const HEADER_SIZE = headerFor('').length;

interface AppendPlan {
  /** Stop after this many octets of the literal: 'destroy' the socket, or 'stall' (send nothing more). */
  cut?: { at: number; then: 'destroy' | 'stall' };
  mailbox?: string;
}

/**
 * LOGIN, APPEND with a LITERAL+ of `header + body`, LOGOUT; resolves with the APPEND's tagged
 * reply, or with what the connection ended with when it was cut.
 */
function append(child: Child, user: string, body: Buffer, plan: AppendPlan = {}): Promise<string> {
  const header = headerFor(user);
  return new Promise((resolve, reject) => {
    const socket = net.connect(child.port, '127.0.0.1');
    let said = '';
    let sent = false;
    socket.on('data', (chunk: Buffer) => {
      said += chunk.toString('latin1');
      if (!sent && said.includes('\r\n')) {
        sent = true;
        const size = header.length + body.length;
        socket.write(`a LOGIN ${user} any\r\nb APPEND ${plan.mailbox ?? 'INBOX'} {${size}+}\r\n`);
        socket.write(header);
        if (plan.cut === undefined) {
          socket.write(body);
          socket.write('\r\nc LOGOUT\r\n');
          return;
        }
        socket.write(body.subarray(0, plan.cut.at), () => {
          if (plan.cut?.then === 'destroy') setTimeout(() => socket.destroy(), 300);
        });
      }
      if (/^c OK /m.test(said)) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (plan.cut !== undefined) {
        resolve(said.split('\r\n').filter(Boolean).at(-1) ?? '');
        return;
      }
      const reply = /^b (?:OK|NO|BAD) [^\r\n]*/m.exec(said)?.[0];
      if (reply === undefined) reject(new Error(`no APPEND reply in ${JSON.stringify(said.slice(0, 500))}`));
      else resolve(reply);
    });
  });
}

const sha256 = (...parts: Buffer[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

describe('large APPENDs go to the spool', () => {
  it(`${PARALLEL} parallel 64 MiB APPENDs are all stored byte-exact, memory stays bounded, no spool file stays`, async () => {
    const child = await startChild();
    const body = bigBody(MESSAGE_SIZE - HEADER_SIZE);
    // Warm up: one large APPEND fills what the process keeps on purpose (SQLite's page cache,
    // the writer thread, compiled code), so "start" is the steady state the burst adds to.
    expect(await append(child, 'warm@example.test', body)).toMatch(
      /^b OK \[APPENDUID \d+ 1\] APPEND completed$/,
    );
    const start = await settle(
      () => rssBytes(child),
      () => false,
      1_000,
    );

    let peak = start;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(child))), 20);
    const users = Array.from({ length: PARALLEL }, (_, i) => `user${i}@example.test`);
    const replies = await Promise.all(users.map((user) => append(child, user, body)));
    clearInterval(sampler);
    peak = Math.max(peak, rssBytes(child));

    expect(replies.filter((reply) => /^b OK \[APPENDUID \d+ 1\] APPEND completed$/.test(reply))).toHaveLength(
      PARALLEL,
    );
    console.log(
      `APPEND x${PARALLEL}: peak ${Math.round((peak - start) / MiB)} MiB above ${Math.round(start / MiB)} MiB`,
    );
    expect((peak - start) / MiB).toBeLessThan(RSS_BOUND / MiB);
    expect(readdirSync(child.spoolDir)).toEqual([]);

    // Every message is stored as sent, octet for octet (read back in this process).
    await stopChild(child);
    const store = openStore({ path: join(child.dataDir, 'minimail.sqlite') });
    try {
      for (const user of users) {
        const owner = await store.getUser(user);
        const inbox = await store.getMailbox(owner!.id, 'INBOX');
        const [message] = await store.listMessages(inbox!.id);
        expect(message?.size).toBe(MESSAGE_SIZE);
        expect(sha256(await store.readBody(message!.bodyHash))).toBe(sha256(headerFor(user), body));
      }
    } finally {
      await store.close();
    }
  }, 600_000);

  it('aborted, timed-out and refused APPENDs leave no spool file; SIGTERM removes those still arriving', async () => {
    // A short autologout so a client that stops mid-literal is timed out (`* BYE`) within the test.
    const child = await startChild({ autologoutMs: 3_000 });
    const body = bigBody(8 * MiB);
    const aborted = Array.from({ length: 5 }, (_, i) =>
      append(child, `abort${i}@example.test`, body, { cut: { at: 4 * MiB, then: 'destroy' } }),
    );
    const stalled = Array.from({ length: 3 }, (_, i) =>
      append(child, `stall${i}@example.test`, body, { cut: { at: 4 * MiB, then: 'stall' } }),
    );
    // While they are half sent, their halves are on disk, not in memory.
    expect(
      await settle(
        () => spoolFiles(child),
        (n) => n >= 3,
        10_000,
      ),
    ).toBeGreaterThanOrEqual(3);
    // RFC 3501 6.3.11: APPEND to a mailbox that does not exist is refused, its literal read first.
    expect(await append(child, 'refused@example.test', body, { mailbox: 'Nowhere' })).toBe(
      'b NO [TRYCREATE] Mailbox does not exist',
    );
    await Promise.all(aborted);
    expect(await Promise.all(stalled)).toEqual(Array(3).fill('* BYE Autologout; idle for too long'));
    expect(
      await settle(
        () => spoolFiles(child),
        (n) => n === 0,
        10_000,
      ),
    ).toBe(0);
    // The server still takes mail.
    expect(await append(child, 'after@example.test', body)).toMatch(
      /^b OK \[APPENDUID \d+ 1\] APPEND completed$/,
    );

    // SIGTERM while literals are half sent: the server closes and their files go with it.
    const interrupted = Array.from({ length: 3 }, (_, i) =>
      append(child, `term${i}@example.test`, body, { cut: { at: 4 * MiB, then: 'stall' } }),
    );
    expect(
      await settle(
        () => spoolFiles(child),
        (n) => n >= 3,
        10_000,
      ),
    ).toBe(3);
    await stopChild(child);
    await Promise.all(interrupted);
    expect(readdirSync(child.spoolDir)).toEqual([]);
  }, 120_000);

  it('a full spool disk answers NO [UNAVAILABLE] and removes the partial file; small APPENDs still work', async (context) => {
    // A 16 MiB tmpfs over the spool directory, in a mount namespace of the child's own.
    const probe = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'true']);
    if (probe.status !== 0) {
      context.skip(
        'needs unshare with user and mount namespaces (util-linux; kernel.unprivileged_userns_clone)',
      );
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'minimail-imap-spool-full-'));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, 'spool'));
    const mountAndRun = `mount -t tmpfs -o size=16m tmpfs ${JSON.stringify(join(dataDir, 'spool'))} && exec "$@"`;
    const child = await startChildIn(dataDir, [
      'unshare',
      '--user',
      '--map-root-user',
      '--mount',
      'sh',
      '-c',
      mountAndRun,
      'sh',
    ]);
    expect(await append(child, 'full@example.test', bigBody(32 * MiB))).toBe(
      'b NO [UNAVAILABLE] Cannot receive the message now, try again later',
    );
    expect(await spoolFiles(child)).toBe(0);
    // Below the spool threshold a message is held in memory: the full disk does not stop it.
    expect(await append(child, 'small@example.test', bigBody(64 * 1024))).toMatch(
      /^b OK \[APPENDUID \d+ 1\] APPEND completed$/,
    );
    // And once there is room again, large ones are taken.
    expect(await append(child, 'fits@example.test', bigBody(8 * MiB))).toMatch(
      /^b OK \[APPENDUID \d+ 1\] APPEND completed$/,
    );
    expect(await spoolFiles(child)).toBe(0);
  }, 120_000);
});

/** startChild with a given data dir and a wrapper command (the tmpfs namespace). */
async function startChildIn(dataDir: string, wrap: string[]): Promise<Child> {
  const args = [...wrap.slice(1), process.execPath, CHILD_SCRIPT, dataDir, '{}'];
  const child = spawn(wrap[0]!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /port (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
  });
  const started = { process: child, port, dataDir, spoolDir: join(dataDir, 'spool') };
  children.push(started);
  return started;
}
