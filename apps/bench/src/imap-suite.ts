/**
 * IMAP workload: many clients, each its own account with a seeded INBOX, each repeating a mail
 * client's session: LOGIN, SELECT, FETCH flags+envelopes of all, FETCH 10 bodies, STORE flags,
 * APPEND, mark it deleted, EXPUNGE, APPEND another, MOVE it to Archive (RFC 6851), LOGOUT. Per
 * command: count, ops/s, p50/p99 (both APPENDs are APPEND samples). Runs against
 * minimail (SQLite, and PostgreSQL where installed) and Dovecot (where installed) with the same
 * mailbox contents.
 */
import { ImapClient, ImapCommandError } from './imap-client.js';
import { benchMessage } from './messages.js';
import { createMinimail, type MinimailInstance, type ServerTarget } from './minimail-target.js';
import { startBenchPostgres } from './postgres.js';
import { createDovecot, DOVECOT_PASSWORD, dovecotVersion } from './peers/dovecot.js';
import { flushDirtyPages } from './processes.js';
import type { BenchSettings } from './settings.js';
import { CONNECTIONS_PER_SOURCE_IP } from './settings.js';
import { now, Samples } from './stats.js';
import { sourceAddress } from './wire.js';

/** Size of the seeded and appended messages: a typical text mail with some quoting. */
export const MESSAGE_BYTES = 4 * 1024;
/** Bodies fetched per session: a client opening the newest few messages. */
const BODIES_PER_SESSION = 10;
/** Where MOVE files a message (issue 20): created by each client before its first session. */
const ARCHIVE = 'Archive';

export const IMAP_COMMANDS = [
  'LOGIN',
  'SELECT',
  'FETCH FLAGS ENVELOPE',
  'FETCH BODY[]',
  'STORE',
  'APPEND',
  'EXPUNGE',
  'MOVE',
  'LOGOUT',
] as const;
export type ImapCommandName = (typeof IMAP_COMMANDS)[number];

export interface ImapCommandResult {
  command: ImapCommandName;
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export interface ImapTargetResult {
  target: string;
  clients: number;
  seconds: number;
  sessions: number;
  errors: number;
  firstError: string | null;
  commands: ImapCommandResult[];
  /** All commands per second. */
  opsPerSecond: number;
}

export interface ImapSuiteResult {
  results: ImapTargetResult[];
  notes: string[];
}

export const userName = (index: number): string => `imap${index}@bench.test`;

export async function workload(
  target: ServerTarget,
  settings: BenchSettings,
  password: string,
  seconds: number,
): Promise<ImapTargetResult> {
  const port = target.ports['imap']!;
  const samples = new Map<ImapCommandName, Samples>(IMAP_COMMANDS.map((name) => [name, new Samples()]));
  const timed = async <T>(name: ImapCommandName, run: () => Promise<T>): Promise<T> => {
    const t0 = now();
    const result = await run();
    samples.get(name)!.add(now() - t0);
    return result;
  };
  let sessions = 0;
  let errors = 0;
  let firstError: string | null = null;
  const started = now();
  const deadline = started + seconds * 1000;
  const client = async (index: number): Promise<void> => {
    const local = sourceAddress(index, CONNECTIONS_PER_SOURCE_IP);
    let round = 0;
    let archived = false;
    while (now() < deadline) {
      let imap: ImapClient | null = null;
      try {
        imap = await timed('LOGIN', async () => {
          const opened = await ImapClient.open(port, local);
          await opened.command(`LOGIN ${userName(index)} ${password}`);
          return opened;
        });
        const session = imap;
        if (!archived) {
          // Untimed, once per client: a NO (it exists: the warm-up made it) is as good as an OK.
          await session.command(`CREATE ${ARCHIVE}`).catch((error: unknown) => {
            if (!(error instanceof ImapCommandError) || !/ NO /.test(error.message)) throw error;
          });
          archived = true;
        }
        const selected = await timed('SELECT', () => session.command('SELECT INBOX', true));
        const exists = Number(
          /^\* (\d+) EXISTS/.exec(selected.untagged.find((l) => / EXISTS$/.test(l)) ?? '')?.[1] ?? 0,
        );
        await timed('FETCH FLAGS ENVELOPE', () => session.command('FETCH 1:* (FLAGS ENVELOPE)'));
        const first = Math.max(1, exists - BODIES_PER_SESSION + 1);
        await timed('FETCH BODY[]', () => session.command(`FETCH ${first}:${exists} (BODY.PEEK[])`));
        // Alternate so that every STORE changes flags (and is written), as reading mail does.
        await timed('STORE', () =>
          session.command(`STORE ${first}:${exists} ${round % 2 === 0 ? '+' : '-'}FLAGS.SILENT (\\Seen)`),
        );
        await timed('APPEND', () =>
          session.append('INBOX', benchMessage(round, MESSAGE_BYTES, userName(index)), '\\Seen'),
        );
        await session.command(`STORE ${exists + 1} +FLAGS.SILENT (\\Deleted)`);
        await timed('EXPUNGE', () => session.command('EXPUNGE'));
        // A client filing a message away: the INBOX keeps its size, Archive grows by one a session.
        await timed('APPEND', () =>
          session.append('INBOX', benchMessage(round + 1, MESSAGE_BYTES, userName(index)), '\\Seen'),
        );
        await timed('MOVE', () => session.command(`MOVE ${exists + 1} ${ARCHIVE}`));
        await timed('LOGOUT', () => session.command('LOGOUT'));
        session.destroy();
        sessions++;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        imap?.destroy();
      }
      round++;
    }
  };
  await Promise.all(Array.from({ length: settings.imapClients }, (_, index) => client(index)));
  const elapsed = (now() - started) / 1000;
  const commands = IMAP_COMMANDS.map((command) => {
    const s = samples.get(command)!;
    return {
      command,
      count: s.count,
      perSecond: s.count / elapsed,
      p50: s.percentile(50),
      p99: s.percentile(99),
    };
  });
  return {
    target: target.name,
    clients: settings.imapClients,
    seconds: elapsed,
    sessions,
    errors,
    firstError,
    commands,
    opsPerSecond: commands.reduce((sum, c) => sum + c.count, 0) / elapsed,
  };
}

function report(result: ImapTargetResult): void {
  process.stdout.write(
    `  imap ${result.target.padEnd(22)} ${result.clients} clients: ${result.sessions} sessions, ${result.opsPerSecond.toFixed(0)} ops/s` +
      `${result.errors ? `, errors ${result.errors} (${result.firstError})` : ''}\n`,
  );
}

export async function runImapSuite(
  settings: BenchSettings,
  cpuProfileDir: string | null,
): Promise<ImapSuiteResult> {
  const notes: string[] = [];
  const results: ImapTargetResult[] = [];
  const seed = (index: number) => (i: number) => benchMessage(i, MESSAGE_BYTES, userName(index));

  const runMinimail = async (minimail: MinimailInstance, profileDir: string | null): Promise<void> => {
    try {
      for (let c = 0; c < settings.imapClients; c++)
        await minimail.seed(userName(c), settings.imapMailboxSize, seed(c));
      const target = await minimail.start({
        service: 'imap',
        ...(profileDir ? { cpuProfileDir: profileDir } : {}),
      });
      await workload(target, { ...settings }, 'any', 1); // warm-up: caches, first logins
      flushDirtyPages();
      const result = await workload(target, settings, 'any', settings.imapSeconds);
      results.push(result);
      report(result);
    } finally {
      await minimail.dispose();
    }
  };
  await runMinimail(createMinimail(), cpuProfileDir);

  // The same workload on the PostgreSQL backend, with the same mailbox contents (issue 13).
  const postgres = await startBenchPostgres(settings, notes);
  if (postgres !== null) {
    try {
      await runMinimail(createMinimail({ databaseUrl: await postgres.database() }), null);
    } finally {
      await postgres.stop();
    }
  }

  if (dovecotVersion() === null) {
    notes.push(
      'Dovecot: not installed (or not root): skipped. `apt-get install dovecot-imapd dovecot-pop3d` to compare.',
    );
  } else {
    const dovecot = createDovecot();
    try {
      for (let c = 0; c < settings.imapClients; c++)
        dovecot.seed(userName(c), settings.imapMailboxSize, seed(c));
      const target = await dovecot.start();
      await workload(target, settings, DOVECOT_PASSWORD, 1); // warm-up: builds Dovecot's index and cache files
      flushDirtyPages();
      const result = await workload(target, settings, DOVECOT_PASSWORD, settings.imapSeconds);
      results.push(result);
      report(result);
    } catch (error) {
      // A peer that does not start must not take minimail's results (SQLite and PostgreSQL) with it.
      const message = error instanceof Error ? error.message : String(error);
      process.stdout.write(`  imap Dovecot failed: ${message}\n`);
      notes.push(`Dovecot (IMAP): failed: ${message.split('\n')[0]}`);
    } finally {
      await dovecot.dispose();
    }
  }
  return { results, notes };
}
