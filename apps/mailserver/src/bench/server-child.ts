/**
 * The minimail IMAP server the bench measures, as its own process: the store opened as
 * `minimail serve` opens it (openAppStore) and the IMAP server of @minimail/imap on the loopback
 * port in BENCH_IMAP_PORT, with room for BENCH_IMAP_MAX_CLIENTS connections (the idle suite holds
 * 10,000). Prints one `bench-server-ready {"imap":port}` line and runs until SIGTERM.
 *
 * SMTP and POP3 are benched through the real CLI (`minimail serve`); IMAP has its own child
 * because the CLI does not serve it yet and the idle suite needs a higher connection limit.
 * @minimail/imap is loaded by name at run time: it is not (yet) a dependency of this app.
 */
import { mkdirSync } from 'node:fs';
import { createLogger, ensureDevCertificate, type Logger } from '@minimail/protocol';
import type { MailStore } from '@minimail/store';
import { openAppStore } from '../open-store.js';

/** The part of @minimail/imap the bench uses. */
interface ImapModule {
  createImapServer(options: {
    store: MailStore;
    logger: Logger;
    hostname: string;
    profile: 'dev' | 'production';
    tls: { key: string; cert: string } | null;
    implicitTls: boolean;
    maxClients?: number;
  }): { listen(port: number, host: string): Promise<number>; close(): Promise<void> };
}

const IMAP_MODULE = '@minimail/imap';
const HOSTNAME = 'localhost';

async function main(): Promise<void> {
  const dataDir = process.env['BENCH_DATA_DIR'];
  if (!dataDir) throw new Error('BENCH_DATA_DIR is required');
  const logger = createLogger({ level: 'warn', name: 'minimail-bench' });
  mkdirSync(dataDir, { recursive: true });
  const store = openAppStore(dataDir, logger);
  const tls = await ensureDevCertificate(dataDir, HOSTNAME);
  const imap = (await import(IMAP_MODULE)) as ImapModule;
  const server = imap.createImapServer({
    store,
    logger: logger.child({ proto: 'imap' }),
    hostname: HOSTNAME,
    profile: 'dev',
    tls,
    implicitTls: false,
    maxClients: Number(process.env['BENCH_IMAP_MAX_CLIENTS'] ?? 1_000),
  });
  const port = await server.listen(0, '127.0.0.1');
  process.stdout.write(`bench-server-ready ${JSON.stringify({ imap: port })}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  await server.close();
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
