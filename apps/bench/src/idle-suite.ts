/**
 * Memory with many idle IMAP connections: N clients (10,000 in the full run) log in, SELECT INBOX
 * and IDLE, from a separate process; the server's RSS is read from /proc before and after. Only
 * minimail: Dovecot runs one process per IMAP connection, so 10,000 would mean 10,000 processes
 * (its per-process RSS is reported by the other suites' notes instead).
 */
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchMessage } from './messages.js';
import { createMinimail } from './minimail-target.js';
import { FD_LIMIT, startNodeChild } from './processes.js';
import type { BenchSettings } from './settings.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Accounts the idle connections share (Thunderbird keeps several connections per account). */
const USERS = 10;
/** Time for the server to settle after the last IDLE before RSS is read (timers, GC). */
const SETTLE_MS = 3_000;
/** Connections one client process holds: under its descriptor limit. */
const PER_CLIENT_PROCESS = 15_000;
/** Descriptors the server needs besides the connections (database, logs, listeners). */
const DESCRIPTOR_RESERVE = 200;

/** The descriptor limit a child started by startNodeChild gets: FD_LIMIT or the hard limit. */
function descriptorLimit(): number {
  try {
    const hard = Number(execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());
    return Number.isFinite(hard) ? Math.min(hard, FD_LIMIT) : FD_LIMIT;
  } catch {
    return FD_LIMIT;
  }
}

/**
 * How many connections to hold: the settings' count, or BENCH_IDLE_CONNECTIONS when given (e.g. the
 * full 10,000 inside a --quick run, without running every other suite at full size).
 */
function idleConnections(settings: BenchSettings): number {
  const override = process.env['BENCH_IDLE_CONNECTIONS'];
  if (override === undefined || override === '') return settings.idle50k ? 50_000 : settings.idleConnections;
  const count = Number(override);
  if (!Number.isInteger(count) || count <= 0)
    throw new Error(`BENCH_IDLE_CONNECTIONS must be a positive integer`);
  return count;
}

export interface IdleResult {
  connections: number;
  failed: number;
  firstError: string | null;
  baselineRss: number;
  idleRss: number;
  perConnection: number;
}

export async function runIdleSuite(
  settings: BenchSettings,
): Promise<{ result: IdleResult | null; notes: string[] }> {
  const notes: string[] = [];
  const wanted = idleConnections(settings);
  // The server holds one descriptor per connection (plus its own): a limit below that would make
  // the bench measure refused connections. Without the right to raise it, hold what fits.
  const limit = descriptorLimit();
  const connections = Math.min(wanted, limit - DESCRIPTOR_RESERVE);
  if (connections < wanted)
    notes.push(
      `idle: ${wanted} connections asked for, ${connections} held: the server process may open at most ` +
        `${limit} descriptors here (\`ulimit -Hn\`, not raisable in this container).`,
    );
  const minimail = createMinimail();
  try {
    for (let u = 0; u < USERS; u++)
      await minimail.seed(`idle${u}@bench.test`, 10, (i) => benchMessage(i, 2048));
    // With http, as docker-compose runs the imap container: metrics are kept only where they can be
    // read, so an imap-only process would be smaller than what is deployed.
    const target = await minimail.start({
      service: 'imap',
      withHttp: true,
      imapMaxClients: connections + 100,
    });
    await sleep(SETTLE_MS);
    const baselineRss = target.rss();
    // Several client processes (each under its own descriptor limit), each from its own range of
    // loopback source addresses.
    const children: Array<Awaited<ReturnType<typeof startNodeChild>>> = [];
    const opened = { open: 0, failed: 0, firstError: null as string | null };
    try {
      for (let first = 0; first < connections; first += PER_CLIENT_PROCESS) {
        const child = await startNodeChild(
          path.join(HERE, 'idle-child.js'),
          {
            PATH: process.env['PATH'],
            BENCH_PORT: String(target.ports['imap']),
            BENCH_CONNECTIONS: String(Math.min(PER_CLIENT_PROCESS, connections - first)),
            BENCH_FIRST: String(first),
            BENCH_USERS: String(USERS),
          },
          [],
          600_000,
        );
        children.push(child);
        const counts = child.ports as unknown as { open: number; failed: number; firstError: string | null };
        opened.open += counts.open;
        opened.failed += counts.failed;
        opened.firstError ??= counts.firstError;
      }
      await sleep(SETTLE_MS);
      const idleRss = target.rss();
      const result: IdleResult = {
        connections: opened.open,
        failed: opened.failed,
        firstError: opened.firstError,
        baselineRss,
        idleRss,
        perConnection: opened.open > 0 ? (idleRss - baselineRss) / opened.open : Number.NaN,
      };
      process.stdout.write(
        `  idle ${opened.open} IMAP connections in IDLE: server RSS ${(idleRss / 1048576).toFixed(0)} MiB ` +
          `(${(baselineRss / 1048576).toFixed(0)} MiB before, ${(result.perConnection / 1024).toFixed(1)} KiB each)` +
          `${opened.failed ? `, ${opened.failed} failed (${opened.firstError})` : ''}\n`,
      );
      return { result, notes };
    } finally {
      for (const child of children) await child.stop();
    }
  } finally {
    await minimail.dispose();
  }
}
