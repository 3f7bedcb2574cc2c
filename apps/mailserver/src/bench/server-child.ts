/**
 * The minimail server the bench measures, as its own process: the app's real building blocks (the
 * store opened as `minimail serve` opens it, the SMTP and POP3 services of services.ts, the IMAP
 * server) on the loopback ports given in the environment. It prints one `bench-server-ready` line
 * with the bound ports and runs until SIGTERM.
 *
 * IMAP is loaded by name at run time: @minimail/imap is not (yet) a dependency of this app, and a
 * build without it still benches SMTP and POP3.
 */
import { mkdirSync } from 'node:fs';
import { createLogger, ensureDevCertificate } from '@minimail/protocol';
import type { MailStore } from '@minimail/store';
import { loadConfig } from '../config.js';
import { openAppStore } from '../open-store.js';
import { SERVICES, type RunningListener } from '../services.js';

/** The part of @minimail/imap the bench uses. */
interface ImapModule {
  createImapServer(options: {
    store: MailStore;
    logger: ReturnType<typeof createLogger>;
    hostname: string;
    profile: 'dev' | 'production';
    tls: { key: string; cert: string } | null;
    implicitTls: boolean;
    maxClients?: number;
  }): { listen(port: number, host: string): Promise<number>; close(): Promise<void> };
}

const IMAP_MODULE = '@minimail/imap';

async function main(): Promise<void> {
  const config = loadConfig({ env: process.env });
  const wanted = (process.env['BENCH_SERVICES'] ?? 'smtp,pop3,imap').split(',');
  const logger = createLogger({ level: config.logLevel, name: 'minimail-bench' });
  mkdirSync(config.dataDir, { recursive: true });
  const store = openAppStore(config.dataDir, logger);
  const tls = await ensureDevCertificate(config.dataDir, config.hostname);
  const running: RunningListener[] = [];
  const ports: Record<string, number> = {};
  for (const name of ['smtp', 'pop3'] as const) {
    if (!wanted.includes(name)) continue;
    for (const listener of await SERVICES[name]!.start({ config, store, logger, tls })) {
      running.push(listener);
      ports[listener.listener] = listener.port;
    }
  }
  if (wanted.includes('imap') && config.ports.imap !== 0) {
    const imap = (await import(IMAP_MODULE)) as ImapModule;
    const server = imap.createImapServer({
      store,
      logger: logger.child({ proto: 'imap' }),
      hostname: config.hostname,
      profile: config.profile,
      tls,
      implicitTls: false,
      maxClients: Number(process.env['BENCH_IMAP_MAX_CLIENTS'] ?? 1_000),
    });
    ports['imap'] = await server.listen(config.ports.imap, config.bind);
    running.push({ listener: 'imap', port: ports['imap'], close: () => server.close() });
  }
  process.stdout.write(`bench-server-ready ${JSON.stringify(ports)}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  await Promise.allSettled(running.map((listener) => listener.close()));
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
