/** The minimail server under test: a fresh data dir, seeded through the store, served by server-child. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAppStore } from '../open-store.js';
import { freePort, startNodeChild, treeRssBytes, type ChildServer } from './processes.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Deliveries in flight while seeding: enough for the store's group commit to batch them. */
const SEED_CONCURRENCY = 256;

export interface ServerTarget {
  name: string;
  ports: Record<string, number>;
  /** Resident memory of the server's process tree, bytes. */
  rss(): number;
  stop(): Promise<void>;
}

export interface MinimailInstance {
  dataDir: string;
  /** Stores `messages` in `address`'s INBOX (the user is created), before the server starts. */
  seed(address: string, count: number, message: (index: number) => Buffer): Promise<void>;
  start(options: {
    services: string[];
    imapMaxClients?: number;
    cpuProfileDir?: string;
  }): Promise<ServerTarget>;
  /** Stops the server (if started) and removes the data dir. */
  dispose(): Promise<void>;
}

export function createMinimail(): MinimailInstance {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'minimail-bench-'));
  let server: ChildServer | null = null;
  return {
    dataDir,
    async seed(address, count, message) {
      const store = openAppStore(dataDir);
      try {
        const user = await store.ensureUser(address);
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < count) {
            const index = next++;
            await store.deliver({ raw: message(index), targets: [{ userId: user.id }] });
          }
        };
        await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
      } finally {
        await store.close();
      }
    },
    async start({ services, imapMaxClients, cpuProfileDir }) {
      const ports = {
        smtp: services.includes('smtp') ? await freePort() : 0,
        pop3: services.includes('pop3') ? await freePort() : 0,
        imap: services.includes('imap') ? await freePort() : 0,
      };
      server = await startNodeChild(
        path.join(HERE, 'server-child.js'),
        {
          PATH: process.env['PATH'],
          HOME: process.env['HOME'],
          MINIMAIL_DATA_DIR: dataDir,
          MINIMAIL_PROFILE: 'dev',
          MINIMAIL_LOG_LEVEL: 'warn',
          MINIMAIL_BIND: '127.0.0.1',
          MINIMAIL_SMTP_PORT: String(ports.smtp),
          MINIMAIL_POP3_PORT: String(ports.pop3),
          MINIMAIL_IMAP_PORT: String(ports.imap),
          MINIMAIL_SUBMISSION_PORT: '0',
          MINIMAIL_SUBMISSIONS_PORT: '0',
          MINIMAIL_POP3S_PORT: '0',
          MINIMAIL_IMAPS_PORT: '0',
          MINIMAIL_HTTP_PORT: '0',
          BENCH_SERVICES: services.join(','),
          BENCH_IMAP_MAX_CLIENTS: String(imapMaxClients ?? 1_000),
        },
        cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [],
      );
      const running = server;
      return {
        name: 'minimail',
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
