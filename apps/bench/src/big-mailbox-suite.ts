/**
 * One mailbox of 100,000 messages (half of them made \Seen by one STORE): SELECT, `FETCH 1:* (FLAGS)` and
 * `UID SEARCH UNSEEN` / `UID SEARCH ALL`, each timed from command to tagged OK. The first SELECT
 * is reported apart (Dovecot builds its index then); the others are medians of a few runs.
 */
import { ImapClient } from './imap-client.js';
import { createMinimail, type ServerTarget } from './minimail-target.js';
import { createDovecot, DOVECOT_PASSWORD, dovecotVersion } from './peers/dovecot.js';
import type { BenchSettings } from './settings.js';
import { now, Samples } from './stats.js';

const USER = 'big@bench.test';
/** Small messages: the point is the message count, not the bytes. */
const MESSAGE_BYTES = 1024;
/** Timed repetitions of each command after the first. */
const REPEATS = 5;

export const BIG_COMMANDS = [
  'SELECT INBOX',
  'FETCH 1:* (FLAGS)',
  'UID SEARCH UNSEEN',
  'UID SEARCH ALL',
] as const;

export interface BigMailboxResult {
  target: string;
  messages: number;
  firstSelectMs: number;
  /** Median ms per command. */
  medians: Record<(typeof BIG_COMMANDS)[number], number>;
  seedSeconds: number;
}

function smallMessage(index: number): Buffer {
  const head = `From: <s${index % 97}@load.test>\r\nTo: <${USER}>\r\nSubject: message ${index}\r\nMessage-ID: <${index}.${process.pid}@big.test>\r\nDate: Wed, 25 Nov 2026 00:00:00 +0000\r\n\r\n`;
  return Buffer.from(head + 'x'.repeat(Math.max(0, MESSAGE_BYTES - head.length - 2)) + '\r\n', 'latin1');
}

async function measure(
  target: ServerTarget,
  password: string,
  messages: number,
  seedSeconds: number,
): Promise<BigMailboxResult> {
  const client = await ImapClient.open(target.ports['imap']!, '127.0.0.1');
  await client.command(`LOGIN ${USER} ${password}`);
  const t0 = now();
  const selected = await client.command('SELECT INBOX', true);
  const firstSelectMs = now() - t0;
  const exists = selected.untagged.find((line) => / EXISTS$/.test(line));
  // Half the messages \Seen (one STORE), so UNSEEN selects half.
  await client.command(`STORE 1:${Math.floor(messages / 2)} +FLAGS.SILENT (\\Seen)`);
  const medians = {} as BigMailboxResult['medians'];
  for (const command of BIG_COMMANDS) {
    const samples = new Samples();
    for (let i = 0; i < REPEATS; i++) {
      const start = now();
      await client.command(command);
      samples.add(now() - start);
    }
    medians[command] = samples.percentile(50);
  }
  client.logout();
  const result = { target: target.name, messages, firstSelectMs, medians, seedSeconds };
  process.stdout.write(
    `  big ${target.name.padEnd(22)} ${exists ?? '?'}: first SELECT ${firstSelectMs.toFixed(0)} ms, ` +
      BIG_COMMANDS.map((c) => `${c} ${medians[c].toFixed(0)} ms`).join(', ') +
      '\n',
  );
  return result;
}

export async function runBigMailboxSuite(
  settings: BenchSettings,
  cpuProfileDir: string | null,
): Promise<{ results: BigMailboxResult[]; notes: string[] }> {
  const results: BigMailboxResult[] = [];
  const notes: string[] = [];
  const count = settings.bigMailboxMessages;
  const minimail = createMinimail();
  try {
    const t0 = now();
    await minimail.seed(USER, count, smallMessage);
    const seedSeconds = (now() - t0) / 1000;
    const target = await minimail.start({ service: 'imap', ...(cpuProfileDir ? { cpuProfileDir } : {}) });
    results.push(await measure(target, 'any', count, seedSeconds));
  } finally {
    await minimail.dispose();
  }
  if (dovecotVersion() === null) {
    notes.push('Dovecot: not installed (or not root): 100,000-message comparison skipped.');
  } else {
    const dovecot = createDovecot();
    try {
      const t0 = now();
      dovecot.seed(USER, count, smallMessage);
      const seedSeconds = (now() - t0) / 1000;
      const target = await dovecot.start();
      results.push(await measure(target, DOVECOT_PASSWORD, count, seedSeconds));
    } finally {
      await dovecot.dispose();
    }
  }
  return { results, notes };
}
