/** The minimail server under test: a fresh data dir, seeded through the store, served by the CLI. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sortKeysOfMessage } from '@minimail/imap/sort-keys';
import { parseMessage, serializeStructure } from '@minimail/mime';
import { indexBody } from '@minimail/http/index-body';
import { openPostgresStore, openStore, type MailStore } from '@minimail/store';
import { minimailBin } from './paths.js';
import { freePort, startNodeChild, treeRssBytes, type ChildServer } from './processes.js';

/**
 * Messages per seeding transaction: the store's own bulk path (`deliverAll`, one durable commit per
 * batch, the API IMAP MULTIAPPEND uses), so a million messages take a thousand commits, not a
 * million queued deliveries.
 */
const SEED_BATCH = 1_000;
/** Batches in flight: one being prepared (parsed, described) while the previous one commits. */
const SEED_BATCHES_IN_FLIGHT = 2;
/** The built CLI, as `npx minimail` runs it. */
const CLI = minimailBin();
/** The CLI's port variable of each benched service. */
const SERVICE_PORT_ENV = {
  smtp: 'MINIMAIL_SMTP_PORT',
  pop3: 'MINIMAIL_POP3_PORT',
  imap: 'MINIMAIL_IMAP_PORT',
} as const;
/** Every listener of the CLI, turned off unless the bench turns one on (0 disables, DESIGN.md). */
const LISTENER_ENV = [
  'MINIMAIL_SMTP_PORT',
  'MINIMAIL_SUBMISSION_PORT',
  'MINIMAIL_SUBMISSIONS_PORT',
  'MINIMAIL_POP3_PORT',
  'MINIMAIL_POP3S_PORT',
  'MINIMAIL_IMAP_PORT',
  'MINIMAIL_IMAPS_PORT',
  'MINIMAIL_HTTP_PORT',
  'MINIMAIL_MANAGESIEVE_PORT',
];

export interface ServerTarget {
  name: string;
  ports: Record<string, number>;
  /** Resident memory of the server's process tree, bytes. */
  rss(): number;
  stop(): Promise<void>;
}

export interface MinimailInstance {
  dataDir: string;
  /**
   * Stores `messages` in `address`'s INBOX (the user is created), before the server starts, with
   * the flags `flags(index)` gives (default none).
   */
  seed(
    address: string,
    count: number,
    message: (index: number) => Buffer,
    flags?: (index: number) => string[],
  ): Promise<void>;
  /** Serves one protocol through the real CLI (`minimail serve --services <service>`). */
  start(options: {
    service: 'smtp' | 'pop3' | 'imap';
    /** Also run the HTTP service (/metrics, /healthz) in the same process, as docker-compose does. */
    withHttp?: boolean;
    imapMaxClients?: number;
    /** MINIMAIL_MAX_CONNECTIONS_PER_IP (a load generator that connects from one address). */
    maxConnectionsPerIp?: number;
    cpuProfileDir?: string;
    /** More of the server's environment (e.g. MINIMAIL_PROFILE=production, MINIMAIL_RECORD_SESSIONS). */
    env?: Record<string, string>;
  }): Promise<ServerTarget>;
  /** Stops the server (if started) and removes the data dir. */
  dispose(): Promise<void>;
}

/** The target's name in the results: the SQLite default, or the PostgreSQL backend beside it. */
export const MINIMAIL = 'minimail';
export const MINIMAIL_POSTGRES = 'minimail on PostgreSQL';

export interface MinimailOptions {
  /**
   * `postgres://...`: the server (and the seeding) use this database instead of the SQLite file
   * in the data dir, as `MINIMAIL_DATABASE_URL` makes `minimail serve` do (docs/adr/0015).
   */
  databaseUrl?: string;
  /**
   * Seed with the full-text index written, as the dev server's deliveries write it (docs/adr/0033):
   * what SEARCH BODY reads (docs/adr/0036). Default false: seeded bodies are unindexed.
   */
  indexAtSeed?: boolean;
}

export function createMinimail(options: MinimailOptions = {}): MinimailInstance {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'minimail-bench-'));
  const { databaseUrl, indexAtSeed = false } = options;
  let server: ChildServer | null = null;
  return {
    dataDir,
    async seed(address, count, message, flags) {
      // As the CLI opens it (apps/mailserver open-store.ts): each body's MIME structure stored with it.
      const describeBody = (raw: Buffer): string => serializeStructure(parseMessage(raw));
      const store: MailStore =
        databaseUrl === undefined
          ? openStore({
              path: path.join(dataDir, 'minimail.sqlite'),
              // SQLite's writes on their own thread while this one parses the next batch.
              writer: 'thread',
              describeBody,
              sortKeysOf: sortKeysOfMessage,
              ...(indexAtSeed ? { indexBody } : {}),
            })
          : await openPostgresStore({
              url: databaseUrl,
              describeBody,
              sortKeysOf: sortKeysOfMessage,
              ...(indexAtSeed ? { indexBody } : {}),
            });
      try {
        const user = await store.ensureUser(address);
        const targets = [{ userId: user.id }];
        let next = 0;
        // Batches are queued in order, so UIDs follow the index as with one delivery at a time.
        const worker = async (): Promise<void> => {
          while (next < count) {
            const first = next;
            next = Math.min(count, first + SEED_BATCH);
            const batch = [];
            for (let index = first; index < next; index++) {
              const seen = flags?.(index);
              batch.push({ raw: message(index), targets, ...(seen?.length ? { flags: seen } : {}) });
            }
            await store.deliverAll(batch);
          }
        };
        await Promise.all(Array.from({ length: SEED_BATCHES_IN_FLIGHT }, worker));
      } finally {
        await store.close();
      }
    },
    async start({
      service,
      withHttp = false,
      imapMaxClients,
      maxConnectionsPerIp,
      cpuProfileDir,
      env: extraEnv = {},
    }) {
      const nodeArgs = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
      // The real `minimail serve`, configured through its environment as an operator would.
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        MINIMAIL_DATA_DIR: dataDir,
        MINIMAIL_PROFILE: 'dev',
        MINIMAIL_BIND: '127.0.0.1',
        // info: what an operator runs; it logs each session as Postfix logs each to its maillog.
        MINIMAIL_LOG_LEVEL: 'info',
        ...(databaseUrl === undefined ? {} : { MINIMAIL_DATABASE_URL: databaseUrl }),
        ...extraEnv,
      };
      // Session recording (ADR 0035/0041) is on in the dev profile; MINIMAIL_RECORD_SESSIONS in the
      // bench's own environment passes through, to measure with it off.
      const recordSessions = process.env['MINIMAIL_RECORD_SESSIONS'];
      if (recordSessions !== undefined) env['MINIMAIL_RECORD_SESSIONS'] = recordSessions;
      for (const variable of LISTENER_ENV) env[variable] = '0';
      env[SERVICE_PORT_ENV[service]] = String(port);
      if (withHttp) env['MINIMAIL_HTTP_PORT'] = String(await freePort());
      // The idle suite holds 10,000 connections; the default limit (1,000) would refuse them.
      if (imapMaxClients !== undefined) env['MINIMAIL_MAX_CONNECTIONS'] = String(imapMaxClients);
      if (maxConnectionsPerIp !== undefined)
        env['MINIMAIL_MAX_CONNECTIONS_PER_IP'] = String(maxConnectionsPerIp);
      server = await startNodeChild(
        CLI,
        env,
        nodeArgs,
        120_000,
        ['serve', '--services', withHttp ? `${service},http` : service],
        (output) => (/minimail ready/.test(output) ? { [service]: port } : null),
      );
      const running = server;
      return {
        name: databaseUrl === undefined ? MINIMAIL : MINIMAIL_POSTGRES,
        ports: running.ports,
        rss: () => treeRssBytes(running.pid),
        stop: async () => {
          await running.stop();
          server = null;
        },
      };
    },
    async dispose() {
      await server?.stop();
      server = null;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
