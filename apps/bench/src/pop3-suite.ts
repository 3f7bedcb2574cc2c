/**
 * POP3 download: one client logs in to a maildrop of 1,000 10 KB messages and does what a
 * download-and-keep client does: STAT, UIDL, RETR every message, QUIT. Against minimail and
 * Dovecot, both running at once: one download each warms caches, then the servers take turns for
 * ROUNDS downloads each and each server's median is reported (a download takes a fraction of a
 * second, and this machine's speed drifts between seconds; alternating shares the drift).
 */
import { benchMessage } from './messages.js';
import { createMinimail, type ServerTarget } from './minimail-target.js';
import { createDovecot, DOVECOT_PASSWORD, dovecotVersion } from './peers/dovecot.js';
import { Pop3Client } from './pop3-client.js';
import type { BenchSettings } from './settings.js';
import { medianBy, now } from './stats.js';

const USER = 'pop@bench.test';
/** Measured downloads per server, after one warm-up download each. */
const ROUNDS = 5;

export interface Pop3Result {
  target: string;
  messages: number;
  seconds: number;
  perSecond: number;
  mibPerSecond: number;
}

async function download(target: ServerTarget, password: string): Promise<Pop3Result> {
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
    messages: count,
    seconds,
    perSecond: count / seconds,
    mibPerSecond: octets / 1024 / 1024 / seconds,
  };
}

function report(result: Pop3Result): void {
  process.stdout.write(
    `  pop3 ${result.target.padEnd(22)} ${result.messages} messages in ${result.seconds.toFixed(2)} s: ${result.perSecond.toFixed(0)} msg/s, ${result.mibPerSecond.toFixed(1)} MiB/s (median of ${ROUNDS})\n`,
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
    for (const { target, password } of servers) await download(target, password);
    const runs = servers.map(() => [] as Pop3Result[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, { target, password }] of servers.entries()) {
        runs[index]!.push(await download(target, password));
      }
    }
    const results = runs.map((list) => medianBy(list, (run) => run.seconds));
    results.forEach(report);
    return { results, notes };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
