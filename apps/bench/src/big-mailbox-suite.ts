/**
 * One mailbox of 100,000 messages (half of them made \Seen by one STORE), each command timed from
 * command to tagged OK: SELECT, `FETCH 1:* (FLAGS)`, `UID SEARCH UNSEEN` / `UID SEARCH ALL`,
 * `SEARCH BODY`, `SORT (DATE)` and `THREAD REFERENCES` (issues 15 and 20); then, on a second
 * connection with QRESYNC enabled, after 1,000 flag changes made by the first one,
 * `UID FETCH 1:* (FLAGS) (CHANGEDSINCE n)` and `SELECT INBOX (QRESYNC (v n))` from the state
 * before the changes. The first SELECT is reported apart (Dovecot builds its index then); the
 * others are medians of a few runs. Memory per session: the server's RSS with a few more sessions
 * that have the mailbox selected, over their count.
 *
 * With `--million` the same runs on 1,000,000 messages of a few hundred bytes, SELECT / FETCH FLAGS /
 * UID SEARCH UNSEEN / memory only (the other commands would take minutes each on a peer without a
 * full-text index). There the first half is seeded \Seen (minimail through the store's bulk
 * delivery, Dovecot as the Maildir file names' `S`) instead of one STORE of 500,000 messages, and
 * seeding is timed apart.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapClient } from './imap-client.js';
import { createMinimail, type ServerTarget } from './minimail-target.js';
import { createDovecot, DOVECOT_PASSWORD, dovecotVersion } from './peers/dovecot.js';
import type { BenchSettings } from './settings.js';
import { now, Samples } from './stats.js';

const USER = 'big@bench.test';
/** Small messages: the point is the message count, not the bytes. */
const MESSAGE_BYTES = 1024;
/** The million-message mode's size: small, so a million fit in a few hundred megabytes. */
const MILLION_MESSAGE_BYTES = 320;
/** Timed repetitions of each command after the first. */
const REPEATS = 5;
/** After two runs, a command repeats only while its runs so far took less than this in all. */
const SLOW_COMMAND_MS = 4_000;
/** One message in this many has the word SEARCH BODY looks for (100 of 100,000). */
const NEEDLE_EVERY = 1_000;
const NEEDLE = 'zebracorn';
/** Flag changes between the QRESYNC client's SELECT and its resync (issue 15). */
const CHANGES = 1_000;
/** Extra sessions holding the mailbox selected while the server's RSS is read. */
const MEMORY_SESSIONS = 4;

/** The commands timed on every size. */
export const BIG_COMMANDS = [
  'SELECT INBOX',
  'FETCH 1:* (FLAGS)',
  'UID SEARCH UNSEEN',
  'UID SEARCH ALL',
  'SEARCH BODY',
  'SORT (DATE) UTF-8 ALL',
  'THREAD REFERENCES UTF-8 ALL',
  'UID FETCH 1:* (FLAGS) (CHANGEDSINCE n)',
  'QRESYNC SELECT after 1,000 changes',
] as const;
export type BigCommand = (typeof BIG_COMMANDS)[number];

/** The commands of the 1,000,000-message run. */
const MILLION_COMMANDS: ReadonlySet<BigCommand> = new Set([
  'SELECT INBOX',
  'FETCH 1:* (FLAGS)',
  'UID SEARCH UNSEEN',
]);

export interface BigMailboxResult {
  target: string;
  messages: number;
  firstSelectMs: number;
  /** Median ms per command (absent when not run at this size). */
  medians: Partial<Record<BigCommand, number>>;
  /** Server RSS growth per extra session with the mailbox selected, bytes. */
  rssPerSession: number;
  seedSeconds: number;
}

function smallMessage(index: number, bytes = MESSAGE_BYTES): Buffer {
  const head = `From: <s${index % 97}@load.test>\r\nTo: <${USER}>\r\nSubject: message ${index % 5000}\r\nMessage-ID: <${index}.${process.pid}@big.test>\r\nDate: Wed, ${1 + (index % 28)} Oct 2026 ${String(index % 24).padStart(2, '0')}:00:00 +0000\r\n\r\n`;
  const word = index % NEEDLE_EVERY === 7 ? `${NEEDLE} ` : '';
  return Buffer.from(
    head + word + 'x'.repeat(Math.max(0, bytes - head.length - word.length - 2)) + '\r\n',
    'latin1',
  );
}

/** The wire text of each timed command (the CHANGEDSINCE and QRESYNC ones need the state). */
function commandText(command: BigCommand, uidValidity: number, modseq: number): string {
  switch (command) {
    case 'SEARCH BODY':
      return `SEARCH BODY ${NEEDLE}`;
    case 'UID FETCH 1:* (FLAGS) (CHANGEDSINCE n)':
      return `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq})`;
    case 'QRESYNC SELECT after 1,000 changes':
      return `SELECT INBOX (QRESYNC (${uidValidity} ${modseq}))`;
    default:
      return command;
  }
}

const codeValue = (lines: readonly string[], code: string): number => {
  for (const line of lines) {
    const match = new RegExp(`\\[${code} (\\d+)\\]`).exec(line);
    if (match) return Number(match[1]);
  }
  throw new Error(`no ${code} in the SELECT response`);
};

async function measure(
  target: ServerTarget,
  password: string,
  messages: number,
  seedSeconds: number,
  million: boolean,
): Promise<BigMailboxResult> {
  const wanted = (command: BigCommand): boolean => !million || MILLION_COMMANDS.has(command);
  const client = await ImapClient.open(target.ports['imap']!, '127.0.0.1');
  await client.command(`LOGIN ${USER} ${password}`);
  const t0 = now();
  const selected = await client.command('SELECT INBOX', true);
  const firstSelectMs = now() - t0;
  const exists = selected.untagged.find((line) => / EXISTS$/.test(line));
  // Half the messages \Seen (one STORE; seeded so with --million), so UNSEEN selects half.
  if (!million) await client.command(`STORE 1:${Math.floor(messages / 2)} +FLAGS.SILENT (\\Seen)`);
  const medians: BigMailboxResult['medians'] = {};
  const time = async (on: ImapClient, command: BigCommand, text: string): Promise<void> => {
    const samples = new Samples();
    const began = now();
    // A command that takes seconds (a full scan of the bodies) is repeated fewer times.
    for (let i = 0; i < REPEATS && (i < 2 || now() - began < SLOW_COMMAND_MS); i++) {
      const start = now();
      await on.command(text);
      samples.add(now() - start);
    }
    medians[command] = samples.percentile(50);
  };
  for (const command of BIG_COMMANDS.slice(0, 7))
    if (wanted(command)) await time(client, command, commandText(command, 0, 0));

  // Memory: a few more sessions with the mailbox selected (the first one's view is in the baseline).
  await sleep(500);
  const before = target.rss();
  const extra: ImapClient[] = [];
  for (let i = 0; i < MEMORY_SESSIONS; i++) {
    const session = await ImapClient.open(target.ports['imap']!, '127.0.0.1');
    await session.command(`LOGIN ${USER} ${password}`);
    await session.command('SELECT INBOX');
    extra.push(session);
  }
  await sleep(500);
  const rssPerSession = (target.rss() - before) / MEMORY_SESSIONS;
  for (const session of extra) session.logout();

  if (!million) {
    // Issue 15: a QRESYNC client resyncs after 1,000 changes made while it was away.
    const resync = await ImapClient.open(target.ports['imap']!, '127.0.0.1');
    await resync.command(`LOGIN ${USER} ${password}`);
    await resync.command('ENABLE QRESYNC');
    const state = await resync.command('SELECT INBOX', true);
    const uidValidity = codeValue(state.untagged, 'UIDVALIDITY');
    const modseq = codeValue(state.untagged, 'HIGHESTMODSEQ');
    const from = Math.floor(messages / 4);
    await client.command(`STORE ${from}:${from + CHANGES - 1} +FLAGS.SILENT (\\Flagged)`);
    // The unsolicited FETCHes of those changes are heard here, not inside a timed command.
    await resync.command('NOOP');
    for (const command of BIG_COMMANDS.slice(7))
      await time(resync, command, commandText(command, uidValidity, modseq));
    resync.logout();
  }
  client.logout();
  const result = { target: target.name, messages, firstSelectMs, medians, rssPerSession, seedSeconds };
  process.stdout.write(
    `  big ${target.name.padEnd(22)} ${exists ?? '?'}: first SELECT ${firstSelectMs.toFixed(0)} ms, ` +
      BIG_COMMANDS.filter((c) => medians[c] !== undefined)
        .map((c) => `${c} ${medians[c]!.toFixed(0)} ms`)
        .join(', ') +
      `, ${(rssPerSession / 1048576).toFixed(1)} MiB RSS per session (seeded in ${seedSeconds.toFixed(0)} s)\n`,
  );
  return result;
}

/**
 * minimail, then Dovecot, on the same mailbox; with BENCH_BIG_ROUNDS=n each is measured n times
 * alternating (a fresh server each time, the seeded data kept), to compare on a loaded machine.
 */
export async function runBigMailboxSuite(
  settings: BenchSettings,
  cpuProfileDir: string | null,
): Promise<{ results: BigMailboxResult[]; notes: string[] }> {
  const results: BigMailboxResult[] = [];
  const notes: string[] = [];
  // BENCH_BIG_MESSAGES overrides the size (a smaller million-mode run where seeding cannot finish).
  const count =
    Number(process.env['BENCH_BIG_MESSAGES']) || (settings.million ? 1_000_000 : settings.bigMailboxMessages);
  const rounds = Math.max(1, Number(process.env['BENCH_BIG_ROUNDS'] ?? 1) || 1);
  // Indexed as the dev server's deliveries are, so SEARCH BODY reads the index (docs/adr/0036).
  const minimail = createMinimail({ indexAtSeed: !settings.million });
  const message = settings.million
    ? (index: number) => smallMessage(index, MILLION_MESSAGE_BYTES)
    : (index: number) => smallMessage(index);
  const seen = ['\\Seen'];
  const none: string[] = [];
  const flags = settings.million ? (index: number) => (index < count / 2 ? seen : none) : undefined;
  // BENCH_BIG_TARGETS=minimail or =dovecot: one server only (two processes can seed side by side).
  const only = process.env['BENCH_BIG_TARGETS'];
  const withMinimail = only !== 'dovecot';
  const dovecot = dovecotVersion() === null || only === 'minimail' ? null : createDovecot();
  if (dovecot === null) notes.push('Dovecot: not installed (or not root): big-mailbox comparison skipped.');
  try {
    let t0 = now();
    if (withMinimail) {
      await minimail.seed(USER, count, message, flags);
      process.stdout.write(
        `  big: minimail seeded ${count} messages in ${((now() - t0) / 1000).toFixed(0)} s\n`,
      );
    }
    const minimailSeed = (now() - t0) / 1000;
    t0 = now();
    dovecot?.seed(USER, count, message, flags);
    const dovecotSeed = (now() - t0) / 1000;
    if (dovecot) process.stdout.write(`  big: Dovecot Maildir written in ${dovecotSeed.toFixed(0)} s\n`);
    for (let round = 0; round < rounds; round++) {
      if (withMinimail) {
        const target = await minimail.start({
          service: 'imap',
          ...(cpuProfileDir ? { cpuProfileDir } : {}),
        });
        try {
          results.push(await measure(target, 'any', count, minimailSeed, settings.million));
        } finally {
          await target.stop();
        }
      }
      if (dovecot !== null) {
        const peer = await dovecot.start();
        try {
          results.push(await measure(peer, DOVECOT_PASSWORD, count, dovecotSeed, settings.million));
        } finally {
          await peer.stop();
        }
      }
    }
  } finally {
    await minimail.dispose();
    await dovecot?.dispose();
  }
  return { results, notes };
}
