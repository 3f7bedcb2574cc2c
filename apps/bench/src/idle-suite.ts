/**
 * Memory with many idle IMAP connections: N clients (10,000 in the full run) log in, SELECT INBOX
 * and IDLE, from a separate process; the server's RSS is read from /proc before and after. Only
 * minimail: Dovecot runs one process per IMAP connection, so 10,000 would mean 10,000 processes
 * (its per-process RSS is reported by the other suites' notes instead).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchMessage } from './messages.js';
import { createMinimail } from './minimail-target.js';
import { startNodeChild } from './processes.js';
import type { BenchSettings } from './settings.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Accounts the idle connections share (Thunderbird keeps several connections per account). */
const USERS = 10;
/** Time for the server to settle after the last IDLE before RSS is read (timers, GC). */
const SETTLE_MS = 3_000;

/**
 * How many connections to hold: the settings' count, or BENCH_IDLE_CONNECTIONS when given (e.g. the
 * full 10,000 inside a --quick run, without running every other suite at full size).
 */
function idleConnections(settings: BenchSettings): number {
  const override = process.env['BENCH_IDLE_CONNECTIONS'];
  if (override === undefined || override === '') return settings.idleConnections;
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
  const connections = idleConnections(settings);
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
    const clients = await startNodeChild(
      path.join(HERE, 'idle-child.js'),
      {
        PATH: process.env['PATH'],
        BENCH_PORT: String(target.ports['imap']),
        BENCH_CONNECTIONS: String(connections),
        BENCH_USERS: String(USERS),
      },
      [],
      600_000,
    );
    try {
      const opened = clients.ports as unknown as { open: number; failed: number; firstError: string | null };
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
      return { result, notes: [] };
    } finally {
      await clients.stop();
    }
  } finally {
    await minimail.dispose();
  }
}
