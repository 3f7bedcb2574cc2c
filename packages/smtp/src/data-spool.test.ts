/**
 * Issue 11 / docs/adr/0027: SMTP DATA above the spool threshold is written to a spool file while
 * it arrives and the store reads it from there, so 40 parallel 64 MiB messages are all accepted
 * (250 only after the durable commit) with memory bounded, stored byte for byte, and no spool
 * file outlives its transaction: stored, aborted, at SIGTERM, or on a full disk.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageSpool } from '@minimail/protocol';
import { openStore } from '@minimail/store';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { staticResolver } from './outbound/resolver.js';
import {
  HOSTNAME,
  inbox,
  startHarness,
  traceHeaderPattern,
  afterTraceHeaders,
  type Harness,
} from './test-support/harness.js';
import { RawSmtpClient } from './test-support/raw-client.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./test-support/data-memory-child.mjs', import.meta.url));
const MiB = 1024 * 1024;
const MESSAGE_SIZE = 64 * MiB;
const PARALLEL = 40;
/** As the IMAP APPEND test (imap/src/append-memory.test.ts) states it: connections' chunks and spool queues plus the store's 128 MiB load bound times a write's working copies. */
const RSS_BOUND = 768 * MiB;

interface Child {
  process: ChildProcess;
  port: number;
  dataDir: string;
  spoolDir: string;
}

const children: Child[] = [];
const dirs: string[] = [];
let harness: Harness | null = null;

afterEach(async () => {
  await Promise.all(children.splice(0).map(stopChild));
  await harness?.close();
  harness = null;
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function startChild(
  wrap: string[] = [],
  dataDir = mkdtempSync(join(tmpdir(), 'minimail-smtp-spool-')),
): Promise<Child> {
  dirs.push(dataDir);
  // 40 clients from one address: above the MX's default per-IP limit (20), as from many senders.
  const args = [CHILD_SCRIPT, dataDir, JSON.stringify({ maxMessageSize: 70 * MiB, maxConnectionsPerIp: 50 })];
  const child =
    wrap.length === 0
      ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn(wrap[0]!, [...wrap.slice(1), process.execPath, ...args], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
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

function rssBytes(child: Child): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.process.pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** 76-octet lines of 'a' (nothing to dot-stuff), CRLF-terminated, `size` octets in all. */
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

const headerFor = (user: string): Buffer => Buffer.from(`Subject: big for ${user.padEnd(40)}\r\n`, 'latin1');
const HEADER_SIZE = headerFor('').length;

/**
 * One SMTP transaction over a raw socket: EHLO, MAIL, RCPT, DATA, the message, the final dot.
 * Resolves with the reply to the dot, or (cut) with the last line the server said before the
 * connection ended.
 */
function sendData(
  child: Child,
  rcpt: string,
  parts: Buffer[],
  cut?: { at: number; then: 'destroy' | 'stall' },
): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(child.port, '127.0.0.1');
    const steps = ['EHLO client.test', 'MAIL FROM:<a@client.test>', `RCPT TO:<${rcpt}>`, 'DATA'];
    let said = '';
    let step = 0;
    let dataSent = false;
    socket.on('data', (chunk: Buffer) => {
      said += chunk.toString('latin1');
      const lines = said.split('\r\n');
      said = lines.pop() ?? '';
      for (const line of lines) {
        if (/^\d{3}-/.test(line)) continue;
        if (dataSent) {
          socket.end('QUIT\r\n');
          resolve(line);
          return;
        }
        if (step < steps.length && !/^[23]/.test(line)) {
          socket.end();
          resolve(line);
          return;
        }
        if (step < steps.length) {
          socket.write(`${steps[step]}\r\n`);
          step += 1;
        } else if (line.startsWith('354')) {
          dataSent = true;
          const whole = Buffer.concat(parts);
          if (cut === undefined) {
            socket.write(whole);
            socket.write('.\r\n');
          } else {
            socket.write(whole.subarray(0, cut.at), () => {
              if (cut.then === 'destroy') setTimeout(() => socket.destroy(), 300);
            });
          }
        } else {
          socket.end();
          resolve(line);
          return;
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(`closed: ${said}`));
  });
}

const sha256 = (...parts: Buffer[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

const ACCEPTED = '250 2.6.0 Message accepted for delivery';

describe('SMTP DATA through the spool', () => {
  it(`${PARALLEL} parallel 64 MiB messages are all accepted and stored byte-exact, memory stays bounded, no spool file stays`, async () => {
    const child = await startChild();
    const body = bigBody(MESSAGE_SIZE - HEADER_SIZE);
    expect(await sendData(child, 'warm@example.test', [headerFor('warm'), body])).toBe(ACCEPTED);
    const start = await settle(
      () => rssBytes(child),
      () => false,
      1_000,
    );

    let peak = start;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(child))), 20);
    const users = Array.from({ length: PARALLEL }, (_, i) => `user${i}@example.test`);
    const replies = await Promise.all(users.map((user) => sendData(child, user, [headerFor(user), body])));
    clearInterval(sampler);
    peak = Math.max(peak, rssBytes(child));

    expect(replies).toEqual(Array(PARALLEL).fill(ACCEPTED));
    console.log(
      `DATA x${PARALLEL}: peak ${Math.round((peak - start) / MiB)} MiB above ${Math.round(start / MiB)} MiB`,
    );
    expect((peak - start) / MiB).toBeLessThan(RSS_BOUND / MiB);
    expect(readdirSync(child.spoolDir)).toEqual([]);

    await stopChild(child);
    const store = openStore({ path: join(child.dataDir, 'minimail.sqlite') });
    try {
      for (const user of users) {
        const [stored] = await inbox(store, user);
        // Our trace headers, then the message exactly as sent.
        const pattern = traceHeaderPattern({
          from: 'a@client.test',
          helo: 'client.test',
          withType: 'ESMTP',
          rcpt: user,
        });
        const message = afterTraceHeaders(stored!, pattern);
        expect(message.length).toBe(MESSAGE_SIZE);
        expect(sha256(message)).toBe(sha256(headerFor(user), body));
      }
    } finally {
      await store.close();
    }
  }, 600_000);

  it('aborted DATA leaves no spool file; SIGTERM removes those still arriving', async () => {
    const child = await startChild();
    const message = [headerFor('x'), bigBody(8 * MiB)];
    const aborted = Array.from({ length: 5 }, (_, i) =>
      sendData(child, `abort${i}@example.test`, message, { at: 4 * MiB, then: 'destroy' }),
    );
    expect(
      await settle(
        () => spoolFiles(child),
        (n) => n >= 1,
        10_000,
      ),
    ).toBeGreaterThanOrEqual(1);
    await Promise.all(aborted);
    expect(
      await settle(
        () => spoolFiles(child),
        (n) => n === 0,
        10_000,
      ),
    ).toBe(0);
    expect(await sendData(child, 'after@example.test', message)).toBe(ACCEPTED);

    const interrupted = Array.from({ length: 3 }, (_, i) =>
      sendData(child, `term${i}@example.test`, message, { at: 4 * MiB, then: 'stall' }),
    );
    expect(
      await settle(
        () => spoolFiles(child),
        (n) => n >= 3,
        10_000,
      ),
    ).toBe(3);
    // The server gives DATA in flight its grace period, then 421 and close: the files go.
    await stopChild(child);
    await Promise.all(interrupted);
    expect(readdirSync(child.spoolDir)).toEqual([]);
  }, 120_000);

  it('a full spool disk answers 452 4.3.1 and removes the partial file; small messages still go', async (context) => {
    const probe = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'true']);
    if (probe.status !== 0) {
      context.skip(
        'needs unshare with user and mount namespaces (util-linux; kernel.unprivileged_userns_clone)',
      );
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'minimail-smtp-spool-full-'));
    mkdirSync(join(dataDir, 'spool'));
    const mountAndRun = `mount -t tmpfs -o size=16m tmpfs ${JSON.stringify(join(dataDir, 'spool'))} && exec "$@"`;
    const child = await startChild(
      ['unshare', '--user', '--map-root-user', '--mount', 'sh', '-c', mountAndRun, 'sh'],
      dataDir,
    );
    expect(await sendData(child, 'full@example.test', [headerFor('full'), bigBody(32 * MiB)])).toBe(
      '452 4.3.1 Insufficient system storage, try again later',
    );
    expect(await spoolFiles(child)).toBe(0);
    expect(await sendData(child, 'small@example.test', [headerFor('small'), bigBody(64 * 1024)])).toBe(
      ACCEPTED,
    );
    expect(await sendData(child, 'fits@example.test', [headerFor('fits'), bigBody(8 * MiB)])).toBe(ACCEPTED);
    expect(await spoolFiles(child)).toBe(0);
  }, 120_000);
});

describe('spooled DATA in process', () => {
  it('bare LF and CR become CRLF across chunk boundaries, as for a message kept in memory', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'minimail-smtp-spool-lf-'));
    dirs.push(spoolDir);
    harness = await startHarness({
      profile: 'dev',
      service: 'mx',
      serviceOptions: { spool: new MessageSpool({ dir: spoolDir, thresholdBytes: 4096 }) },
    });
    const client = await RawSmtpClient.connect(harness.port);
    expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    await client.command('EHLO client.test');
    expect(await client.command('MAIL FROM:<a@client.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<lf@example.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
    // 200 KB of mixed endings: bare LF, bare CR and CRLF, sent in uneven pieces.
    const lines = Array.from(
      { length: 4000 },
      (_, i) => `line ${i} ${'z'.repeat(40)}${['\n', '\r', '\r\n'][i % 3]}`,
    );
    const sent = `Subject: endings\r\n\r\n${lines.join('')}`;
    for (let offset = 0; offset < sent.length; offset += 997)
      client.sendRaw(sent.slice(offset, offset + 997));
    client.sendRaw('\r\n.\r\n');
    expect((await client.reply()).last).toBe(ACCEPTED);
    await client.close();
    const [stored] = await inbox(harness.store, 'lf@example.test');
    const expected = `${sent}\r\n`.replace(/\r\n|\r|\n/g, '\r\n');
    expect(stored!.toString('latin1').endsWith(expected)).toBe(true);
    expect(stored!.toString('latin1').startsWith('Return-Path: <a@client.test>\r\n')).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('Sieve at delivery reads a spooled message: a body test files it, byte for byte, and the file is removed', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'minimail-smtp-spool-sieve-'));
    dirs.push(spoolDir);
    harness = await startHarness({
      profile: 'dev',
      service: 'mx',
      sieve: {},
      serviceOptions: { spool: new MessageSpool({ dir: spoolDir, thresholdBytes: 4096 }) },
    });
    const user = await harness.store.ensureUser('sieve@example.test');
    // The word the script looks for is near the end: the whole spooled message must be read.
    await harness.scripts!.putSieveScript(
      user.id,
      'main',
      'require ["fileinto", "mailbox", "body"];\nif body :contains "needle-at-the-end" { fileinto :create "Found"; }',
    );
    await harness.scripts!.activateSieveScript(user.id, 'main');
    const client = await RawSmtpClient.connect(harness.port);
    expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    await client.command('EHLO client.test');
    expect(await client.command('MAIL FROM:<a@client.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<sieve@example.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'s'.repeat(40)}\r\n`);
    const sent = `Subject: big\r\n\r\n${lines.join('')}needle-at-the-end\r\n`;
    client.sendRaw(sent);
    client.sendRaw('.\r\n');
    expect((await client.reply()).last).toBe(ACCEPTED);
    await client.close();
    const found = await harness.store.getMailbox(user.id, 'Found');
    const messages = await harness.store.listMessages(found!.id);
    expect(messages).toHaveLength(1);
    const stored = await harness.store.readBody(messages[0]!.bodyHash);
    expect(stored.toString('latin1').startsWith('Return-Path: <a@client.test>\r\n')).toBe(true);
    expect(stored.toString('latin1').endsWith(sent)).toBe(true);
    expect(await inbox(harness.store, 'sieve@example.test')).toEqual([]);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('MX checks read a spooled message from its file, and a forged Authentication-Results is dropped', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'minimail-smtp-spool-auth-'));
    dirs.push(spoolDir);
    harness = await startHarness({
      profile: 'dev',
      service: 'mx',
      inboundAuth: { resolver: staticResolver('127.0.0.1'), rejectDmarcFailures: false },
      serviceOptions: { spool: new MessageSpool({ dir: spoolDir, thresholdBytes: 4096 }) },
    });
    const client = await RawSmtpClient.connect(harness.port);
    expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    await client.command('EHLO client.test');
    expect(await client.command('MAIL FROM:<a@remote.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<bob@example.test>')).toBe('250 2.1.5 Accepted');
    expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
    const header = `Authentication-Results: ${HOSTNAME}; dkim=pass\r\nSubject: checked\r\n`;
    const body = `\r\n${'b'.repeat(70)}\r\n`.repeat(1000);
    client.sendRaw(`${header}${body}.\r\n`);
    expect((await client.reply()).last).toBe(ACCEPTED);
    await client.close();
    const line = harness.logs.find((record) => record.msg === 'smtp transaction');
    expect(line).toMatchObject({
      spooled: true,
      authResults: { spf: 'none', dkim: ['none'], dmarc: 'none', arc: 'none' },
    });
    const [stored] = await inbox(harness.store, 'bob@example.test');
    const text = stored!.toString('latin1');
    // Ours is there once, the forged one is gone, and the rest is as sent.
    expect(text.match(/^Authentication-Results:/gm)).toHaveLength(1);
    expect(text.endsWith(`Subject: checked\r\n${body}`)).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});

describe('spooled DATA and a failing store', () => {
  it('answers 451 when the store fails, and the spool file is removed all the same', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'minimail-smtp-spool-store-'));
    dirs.push(spoolDir);
    harness = await startHarness({
      profile: 'dev',
      service: 'mx',
      serviceOptions: { spool: new MessageSpool({ dir: spoolDir, thresholdBytes: 4096 }) },
    });
    const client = await RawSmtpClient.connect(harness.port);
    expect((await client.reply()).last).toBe(`220 ${HOSTNAME} ESMTP minimail`);
    await client.command('EHLO client.test');
    expect(await client.command('MAIL FROM:<a@client.test>')).toBe('250 2.1.0 Accepted');
    expect(await client.command('RCPT TO:<gone@example.test>')).toBe('250 2.1.5 Accepted');
    // The store goes away (a failed disk, a lost database) while the message is on its way.
    await harness.store.close();
    expect(await client.command('DATA')).toBe('354 End data with <CR><LF>.<CR><LF>');
    client.sendRaw(`Subject: lost\r\n\r\n${`${'c'.repeat(70)}\r\n`.repeat(2000)}.\r\n`);
    expect((await client.reply()).last).toBe('451 4.3.0 Requested action aborted: local error in processing');
    await client.close();
    const line = harness.logs.find((record) => record.msg === 'smtp transaction');
    expect(line).toMatchObject({ result: 'LOCAL_ERROR' });
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
