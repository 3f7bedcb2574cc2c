/**
 * POP3 download: one client logs in to a maildrop of 1,000 10 KB messages and does what a
 * download-and-keep client does: STAT, UIDL, RETR every message, QUIT. The first download warms
 * caches; the best of the others is reported. Against minimail and Dovecot.
 */
import { benchMessage } from './messages.js';
import { createMinimail, type ServerTarget } from './minimail-target.js';
import { createDovecot, DOVECOT_PASSWORD, dovecotVersion } from './peers/dovecot.js';
import { Pop3Client } from './pop3-client.js';
import type { BenchSettings } from './settings.js';
import { now } from './stats.js';

const USER = 'pop@bench.test';
/** Downloads per target: the first warms caches, the best of the rest is reported. */
const RUNS = 2;

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

async function best(target: ServerTarget, password: string): Promise<Pop3Result> {
  const runs: Pop3Result[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await download(target, password));
  const result = runs.slice(1).reduce((a, b) => (b.seconds < a.seconds ? b : a), runs[0]!);
  process.stdout.write(
    `  pop3 ${target.name.padEnd(22)} ${result.messages} messages in ${result.seconds.toFixed(2)} s: ${result.perSecond.toFixed(0)} msg/s, ${result.mibPerSecond.toFixed(1)} MiB/s\n`,
  );
  return result;
}

export async function runPop3Suite(
  settings: BenchSettings,
  cpuProfileDir: string | null,
): Promise<{ results: Pop3Result[]; notes: string[] }> {
  const results: Pop3Result[] = [];
  const notes: string[] = [];
  const message = (i: number): Buffer => benchMessage(i, settings.messageBytes, USER);

  const minimail = createMinimail();
  try {
    await minimail.seed(USER, settings.pop3Messages, message);
    const target = await minimail.start({ service: 'pop3', ...(cpuProfileDir ? { cpuProfileDir } : {}) });
    results.push(await best(target, 'any'));
  } finally {
    await minimail.dispose();
  }
  if (dovecotVersion() === null) {
    notes.push('Dovecot: not installed (or not root): POP3 comparison skipped.');
  } else {
    const dovecot = createDovecot();
    try {
      dovecot.seed(USER, settings.pop3Messages, message);
      results.push(await best(await dovecot.start(), DOVECOT_PASSWORD));
    } finally {
      await dovecot.dispose();
    }
  }
  return { results, notes };
}
