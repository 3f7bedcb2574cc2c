/**
 * POP3 download: one client logs in to a maildrop of 1,000 10 KB messages and does what a
 * download-and-keep client does: STAT, UIDL, RETR every message, QUIT. Against minimail and
 * Dovecot, both running at once: one download each warms caches, then the servers take turns for
 * ROUNDS downloads each and each server's median is reported (a download takes a fraction of a
 * second, and this machine's speed drifts between seconds; alternating shares the drift).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { benchMessage } from './messages.js';
import { createMinimail, type ServerTarget } from './minimail-target.js';
import { createDovecot, DOVECOT_PASSWORD, dovecotVersion } from './peers/dovecot.js';
import { Pop3Client } from './pop3-client.js';
import type { BenchSettings } from './settings.js';
import { medianBy, now } from './stats.js';

const USER = 'pop@bench.test';
/** Measured downloads per server, after one warm-up download each. */
const ROUNDS = 5;

/**
 * The download clients: the bench's own (pop3-client.ts, which takes whatever arrives in one
 * read) and Python's `poplib`, written by others, which reads every reply line by line from a
 * buffered file (issue 20: leads measured with our own client only shrink or turn with clients
 * that read differently).
 */
export type Pop3Client$ = 'bench client' | 'poplib';

const PYTHON = '/usr/bin/python3';

/**
 * One download with Python's standard poplib, timed inside Python from connect to QUIT (so the
 * interpreter's start-up is not counted): prints `{"messages", "seconds", "octets"}`.
 */
const POPLIB_DOWNLOAD = `
import json, poplib, sys, time
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
client = poplib.POP3('127.0.0.1', port)
client.user(user)
client.pass_(password)
count, _size = client.stat()
client.uidl()
octets = 0
for n in range(1, count + 1):
    _resp, _lines, size = client.retr(n)
    octets += size
client.quit()
print(json.dumps({"messages": count, "seconds": time.perf_counter() - t0, "octets": octets}))
`;

export interface Pop3Result {
  target: string;
  /** Which client downloaded (absent in older results: the bench's own). */
  client?: Pop3Client$;
  messages: number;
  seconds: number;
  perSecond: number;
  mibPerSecond: number;
}

function poplibDownload(target: ServerTarget, password: string): Promise<Pop3Result> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      ['-c', POPLIB_DOWNLOAD, String(target.ports['pop3']!), USER, password],
      { timeout: 300_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`poplib download failed: ${stderr || error.message}`));
        const out = JSON.parse(stdout) as { messages: number; seconds: number; octets: number };
        resolve({
          target: target.name,
          client: 'poplib',
          messages: out.messages,
          seconds: out.seconds,
          perSecond: out.messages / out.seconds,
          mibPerSecond: out.octets / 1024 / 1024 / out.seconds,
        });
      },
    );
  });
}

function download(client: Pop3Client$, target: ServerTarget, password: string): Promise<Pop3Result> {
  return client === 'poplib' ? poplibDownload(target, password) : benchDownload(target, password);
}

async function benchDownload(target: ServerTarget, password: string): Promise<Pop3Result> {
  const t0 = now();
  const client = await Pop3Client.open(target.ports['pop3']!);
  await client.login(USER, password);
  const { count } = await client.stat();
  await client.multiline('UIDL');
  let octets = 0;
  for (let n = 1; n <= count; n++) octets += await client.multiline(`RETR ${n}`);
  await client.quit();
  const seconds = (now() - t0) / 1000;
  return {
    target: target.name,
    client: 'bench client',
    messages: count,
    seconds,
    perSecond: count / seconds,
    mibPerSecond: octets / 1024 / 1024 / seconds,
  };
}

function report(result: Pop3Result): void {
  process.stdout.write(
    `  pop3 ${result.target.padEnd(22)} ${(result.client ?? 'bench client').padEnd(12)} ${result.messages} messages in ${result.seconds.toFixed(2)} s: ${result.perSecond.toFixed(0)} msg/s, ${result.mibPerSecond.toFixed(1)} MiB/s (median of ${ROUNDS})\n`,
  );
}

export async function runPop3Suite(
  settings: BenchSettings,
  cpuProfileDir: string | null,
): Promise<{ results: Pop3Result[]; notes: string[] }> {
  const notes: string[] = [];
  const message = (i: number): Buffer => benchMessage(i, settings.messageBytes, USER);
  const servers: Array<{ target: ServerTarget; password: string }> = [];
  const stops: Array<() => Promise<void>> = [];
  try {
    const minimail = createMinimail();
    stops.push(() => minimail.dispose());
    await minimail.seed(USER, settings.pop3Messages, message);
    const ours = await minimail.start({ service: 'pop3', ...(cpuProfileDir ? { cpuProfileDir } : {}) });
    servers.push({ target: ours, password: 'any' });
    if (dovecotVersion() === null) {
      notes.push('Dovecot: not installed (or not root): POP3 comparison skipped.');
    } else {
      const dovecot = createDovecot();
      stops.push(() => dovecot.dispose());
      dovecot.seed(USER, settings.pop3Messages, message);
      servers.push({ target: await dovecot.start(), password: DOVECOT_PASSWORD });
    }
    const clients: Pop3Client$[] = existsSync(PYTHON) ? ['bench client', 'poplib'] : ['bench client'];
    if (clients.length === 1) notes.push('python3 not installed: POP3 measured with our own client only.');
    const results: Pop3Result[] = [];
    for (const client of clients) {
      for (const { target, password } of servers) await download(client, target, password);
      const runs = servers.map(() => [] as Pop3Result[]);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [index, { target, password }] of servers.entries()) {
          runs[index]!.push(await download(client, target, password));
        }
      }
      const medians = runs.map((list) => medianBy(list, (run) => run.seconds));
      medians.forEach(report);
      results.push(...medians);
    }
    return { results, notes };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
