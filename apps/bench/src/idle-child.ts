/**
 * Holds many IMAP connections in IDLE, in its own process so that the server's memory is measured
 * alone and each process stays under its descriptor limit. Env: BENCH_PORT, BENCH_CONNECTIONS,
 * BENCH_USERS, BENCH_PASSWORD. Prints `bench-server-ready {"open":n,"failed":n}` once all are
 * idling (the ready line the process helper waits for), then holds them until SIGTERM.
 */
import { ImapClient } from './imap-client.js';
import { CONNECTIONS_PER_SOURCE_IP } from './settings.js';
import { sourceAddress } from './wire.js';

/** Logins in flight at once: fast, without a SYN flood that overruns the listen backlog. */
const OPEN_CONCURRENCY = 100;

async function main(): Promise<void> {
  const port = Number(process.env['BENCH_PORT']);
  const count = Number(process.env['BENCH_CONNECTIONS']);
  // Where this process's connections start in the suite's numbering (its source addresses).
  const first = Number(process.env['BENCH_FIRST'] ?? 0);
  const users = Number(process.env['BENCH_USERS'] ?? 10);
  const password = process.env['BENCH_PASSWORD'] ?? 'any';
  const clients: ImapClient[] = [];
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const opener = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      try {
        const client = await ImapClient.open(port, sourceAddress(first + index, CONNECTIONS_PER_SOURCE_IP));
        clients.push(client);
        await client.command(`LOGIN idle${index % users}@bench.test ${password}`);
        await client.command('SELECT INBOX');
        await client.idle();
      } catch (error) {
        failed++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, opener));
  process.stdout.write(
    `bench-server-ready ${JSON.stringify({ open: count - failed, failed, firstError })}\n`,
  );
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  for (const client of clients) client.destroy();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`idle client failed: ${String(error)}\n`);
  process.exit(1);
});
